//! What the importer reads, whatever the input format: one [`Document`] per operation, its
//! schemas in a [`Schema`] that covers Swagger 2.0 and OpenAPI 3.0/3.1, and the
//! [`Problem`]s that stop an import (each naming a file and a JSON pointer).

use std::fmt;

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;

/// Something wrong with the input: the file, where in it (a JSON pointer, RFC 6901; empty
/// for the whole file, or `line:col` text for a syntax error) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub pointer: String,
    pub message: String,
}

impl Problem {
    pub fn new(file: &str, pointer: &str, message: impl Into<String>) -> Self {
        Problem {
            file: file.to_owned(),
            pointer: pointer.to_owned(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}: {}", self.file, self.pointer, self.message)
    }
}

/// Every problem of an import; nothing is written when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

impl From<Problem> for Problems {
    fn from(p: Problem) -> Self {
        Problems(vec![p])
    }
}

/// `base` extended by one reference token, escaped as RFC 6901 says (`~` -> `~0`,
/// `/` -> `~1`).
pub fn ptr(base: &str, token: impl fmt::Display) -> String {
    let token = token.to_string().replace('~', "~0").replace('/', "~1");
    format!("{base}/{token}")
}

/// One operation, as read from an API Explorer document or one operation of an OpenAPI
/// document.
#[derive(Debug, Clone)]
pub struct Document {
    /// The input file as shown in messages.
    pub file: String,
    /// The operation name (the official SDKs' name).
    pub name: String,
    /// Pointer of `name` (for "two documents for one operation").
    pub name_ptr: String,
    /// Product short name, e.g. `ECS` (API Explorer documents only).
    pub product: Option<String>,
    /// The endpoint host in one region, e.g. `ecs.cn-north-4.myhuaweicloud.com`.
    pub host: Option<String>,
    /// The region the host names, e.g. `cn-north-4`.
    pub region: Option<String>,
    /// Upper-case HTTP method.
    pub method: String,
    /// The operation's path; with `base_path` in front when the document lacks it.
    pub path: String,
    /// The base path the document's path lacks and its example URLs have (`/v1`), already
    /// put in front of `path`.
    pub base_path: Option<String>,
    /// Pointer of the operation object.
    pub ptr: String,
    pub summary: Option<String>,
    pub description: Option<String>,
    /// `x-support-sdk`: whether the official SDKs expose the operation.
    pub support_sdk: Option<bool>,
    /// `x-idempotent: true`: the operation may be sent twice (our OpenAPI export writes it
    /// for a spec's `idempotent: true`; API Explorer documents have no such key).
    pub idempotent: bool,
    pub params: Vec<Param>,
    pub body: Option<Body>,
    pub responses: Vec<Response>,
    pub request_examples: Vec<RequestExample>,
    pub error_codes: Vec<ErrorCode>,
    /// The document's named schemas (`#/definitions/X` or `#/components/schemas/X`).
    pub definitions: IndexMap<String, Schema>,
    /// Pointer prefix of the named schemas, e.g. `/definitions`.
    pub definitions_ptr: String,
}

impl Document {
    /// Whether the document's 3xx responses are its successes: it documents no 2xx status
    /// (the OpenStack version lists answer `300 Multiple Choices` with the versions).
    pub fn has_3xx_success(&self) -> bool {
        let statuses = || {
            self.responses
                .iter()
                .filter_map(|r| r.status.parse::<u16>().ok())
        };
        !statuses().any(|s| (200..300).contains(&s)) && statuses().any(|s| (300..400).contains(&s))
    }
}

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum In {
    Path,
    Query,
    Header,
    Cookie,
}

/// A path, query, header or cookie parameter, `$ref`s resolved.
#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub location: In,
    pub required: bool,
    pub schema: Schema,
    /// `Some(true)` for a comma-joined array (`collectionFormat: csv`, `explode: false`),
    /// `Some(false)` for a repeated key.
    pub csv: Option<bool>,
    /// `x-exclude-param: Y`: the document keeps the parameter out of the SDKs (EIP's
    /// `ListBandwidth` marks its query `project_id`, a second `project_id` beside the path's).
    pub excluded: bool,
    pub ptr: String,
}

/// A request body.
#[derive(Debug, Clone)]
pub struct Body {
    pub content_type: String,
    /// For form bodies: an object schema of the form fields.
    pub schema: Schema,
    pub required: bool,
    pub description: Option<String>,
    pub ptr: String,
}

/// One documented response status.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status key as written (`200`, `default`, ...).
    pub status: String,
    pub description: Option<String>,
    pub schema: Option<Schema>,
    /// Media type of the body, when the document says.
    pub content_type: Option<String>,
    /// Header name -> its schema (description included).
    pub headers: Vec<(String, Schema)>,
    /// Example bodies, each with the pointer it came from.
    pub examples: Vec<(String, Value)>,
    /// `x-hwcloud-success: true` (our OpenAPI export's mark of a 3xx success).
    pub success: bool,
    pub ptr: String,
}

/// A request example: the URL (method and path with query) and the body.
#[derive(Debug, Clone)]
pub struct RequestExample {
    pub number: u32,
    pub url: Option<String>,
    pub body: Option<Value>,
    pub ptr: String,
}

/// One entry of `x-apiErrorCodes`.
#[derive(Debug, Clone)]
pub struct ErrorCode {
    pub code: String,
    pub status: u16,
    pub description: String,
    pub handling: Option<String>,
}

/// A schema of Swagger 2.0 or OpenAPI 3.0/3.1: the keys the mapping reads; the rest
/// (`x-order`, `readOnly`, ...) says nothing about the wire and is ignored.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Schema {
    #[serde(rename = "$ref", default)]
    pub reference: Option<String>,
    #[serde(rename = "type", default)]
    pub ty: Option<TypeName>,
    #[serde(default)]
    pub format: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub properties: IndexMap<String, Schema>,
    #[serde(default)]
    pub required: Required,
    #[serde(default)]
    pub items: Option<Box<Schema>>,
    #[serde(rename = "additionalProperties", default)]
    pub additional: Option<Additional>,
    #[serde(rename = "allOf", default)]
    pub all_of: Vec<Schema>,
    #[serde(rename = "oneOf", default)]
    pub one_of: Vec<Value>,
    #[serde(rename = "anyOf", default)]
    pub any_of: Vec<Value>,
    #[serde(rename = "enum", default)]
    pub enum_values: Option<Vec<Value>>,
    #[serde(default)]
    pub default: Option<Value>,
    #[serde(default)]
    pub minimum: Option<Value>,
    #[serde(default)]
    pub maximum: Option<Value>,
    #[serde(rename = "minLength", default)]
    pub min_length: Option<Value>,
    #[serde(rename = "maxLength", default)]
    pub max_length: Option<Value>,
    #[serde(rename = "minItems", default)]
    pub min_items: Option<Value>,
    #[serde(rename = "maxItems", default)]
    pub max_items: Option<Value>,
    #[serde(rename = "x-sensitive", default)]
    pub sensitive: Option<Value>,
}

/// `type`: one name, or (OpenAPI 3.1) a list such as `["string", "null"]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum TypeName {
    One(String),
    Many(Vec<String>),
}

/// `required`: the list of required property names; a few documents write `true`/`false`
/// on a property instead (that property's own flag).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Required {
    Names(Vec<String>),
    Flag(bool),
}

impl Default for Required {
    fn default() -> Self {
        Required::Names(Vec::new())
    }
}

/// `additionalProperties`: `true`/`false` or a schema.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Additional {
    Flag(bool),
    Schema(Box<Schema>),
}

impl Schema {
    /// Reads a schema from a JSON value; the error names `pointer`.
    pub fn from_value(file: &str, pointer: &str, value: &Value) -> Result<Schema, Problem> {
        Schema::deserialize(value)
            .map_err(|e| Problem::new(file, pointer, format!("not a valid schema: {e}")))
    }

    /// The non-null type names (`["string", "null"]` -> `["string"]`).
    pub fn types(&self) -> Vec<&str> {
        match &self.ty {
            None => Vec::new(),
            Some(TypeName::One(t)) => vec![t.as_str()],
            Some(TypeName::Many(ts)) => ts
                .iter()
                .map(String::as_str)
                .filter(|t| *t != "null")
                .collect(),
        }
    }

    /// Whether the required list names `property`.
    pub fn requires(&self, property: &str) -> bool {
        matches!(&self.required, Required::Names(n) if n.iter().any(|r| r == property))
    }

    /// A property's own `required: true` (a Swagger mistake some documents make).
    pub fn required_flag(&self) -> bool {
        matches!(self.required, Required::Flag(true))
    }
}

/// Decodes the HTML entities the documents use in descriptions (`&amp;`, `&nbsp;`, `&ast;`,
/// `&#39;`, ...). Unknown entities stay as written.
pub fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest
            .find(';')
            .filter(|&end| end <= 12)
            .and_then(|end| Some((entity(&rest[1..end])?, end)));
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        return char::from_u32(code);
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "ast" => '*',
        "hellip" => '…',
        "mdash" => '—',
        "ndash" => '–',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "times" => '×',
        "le" => '≤',
        "ge" => '≥',
        "middot" => '·',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_are_decoded() {
        assert_eq!(
            decode_entities("a&amp;b &lt;c&gt; &#39;d&#x27; &ast;"),
            "a&b <c> 'd' *"
        );
        assert_eq!(decode_entities("x&nbsp;y"), "x\u{a0}y");
        assert_eq!(
            decode_entities("AT&T & co; &unknown; &"),
            "AT&T & co; &unknown; &"
        );
    }

    #[test]
    fn pointers_escape() {
        assert_eq!(ptr("/paths", "/v1/{id}"), "/paths/~1v1~1{id}");
        assert_eq!(ptr("", "a~b"), "/a~0b");
    }
}
