//! What the generated code implements: an operation described as static data plus two
//! small functions, encode (request value -> HTTP request parts) and decode (HTTP
//! response -> response value).
//!
//! This is sans-IO: nothing here sends anything, so every operation can be tested
//! without a network and the transport is replaceable (see [`crate::transport`]).

use std::borrow::Cow;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use http::{HeaderMap, Method};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;

use crate::auth::AuthScheme;
use crate::error::Error;
use crate::model::Json;
use crate::{Secret, Timestamp};

mod response;

pub use response::{
    DECODE_BUDGET_FACTOR, DEFAULT_DECODE_BUDGET, DEFAULT_MAX_RESPONSE_SIZE, ResponseParts,
    decode_response, decode_response_with,
};

/// Static facts about a service.
#[derive(Debug)]
pub struct ServiceMeta {
    /// Service name, e.g. `DataArtsStudio`.
    pub name: &'static str,
    /// Endpoint template with `{region}`, e.g. `https://dayu.{region}.myhuaweicloud.com`;
    /// `None` when the address is deployment-specific and must be configured.
    pub endpoint: Option<&'static str>,
}

/// Static facts about an operation.
#[derive(Debug)]
pub struct OperationMeta {
    /// `Service.Operation`, used in errors and traces.
    pub name: &'static str,
    pub method: Method,
    /// Path template, `{name}` per path parameter.
    pub path: &'static str,
    /// Statuses the document lists as success; any other status is a service error.
    pub success: &'static [u16],
    /// The credential schemes the operation accepts; empty for an operation sent without
    /// credentials (a token endpoint). Credentials of another scheme fail the call before
    /// anything is sent.
    pub auth: &'static [AuthScheme],
    /// True when the operation's bodies may hold secrets (it issues tokens, or a request
    /// or response value of it is `sensitive`): its response bodies are then never quoted
    /// in an error, a warning or a log line, neither a failed decode's excerpt and parser
    /// message (which quotes values) nor a service error's body.
    pub sensitive_body: bool,
    /// True for operations whose success body is a file (raw bytes): at the success
    /// statuses, `ClientBuilder::max_download_size` applies instead of
    /// `max_response_size`.
    pub download: bool,
}

/// An API operation: the request type implements it.
pub trait Operation: Send + Sync {
    /// The decoded success response.
    type Output;
    /// The operation's static description.
    const META: OperationMeta;
    /// Writes the request's parameters and body.
    fn encode(&self, request: &mut RequestParts<'_>) -> Result<(), Error>;
    /// Reads a success response.
    fn decode(response: &ResponseParts) -> Result<Self::Output, Error>;
}

/// Builds the HTTP request of `operation` against `base` without sending it (no
/// credentials applied): sans-IO, for tests and custom transports.
pub fn encode_request<O: Operation>(
    operation: &O,
    identity: &Identity,
    base: &str,
) -> Result<http::Request<Bytes>, Error> {
    let meta = O::META;
    let mut parts = RequestParts::new(&meta, identity);
    operation.encode(&mut parts)?;
    parts.finish(base)
}

/// Values the client supplies for parameters the caller leaves out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    /// Project id (`{project_id}` in paths, `X-Project-Id` for AK/SK).
    pub project_id: Option<String>,
    /// Domain (account) id (`X-Domain-Id` for AK/SK on global services).
    pub domain_id: Option<String>,
}

/// Which [`Identity`] value fills a parameter the caller left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Implicit {
    ProjectId,
    DomainId,
}

/// RFC 3986 unreserved characters stay, everything else is percent-encoded: the same set
/// the AK/SK signer uses for its canonical form, so the wire form is already canonical.
pub(crate) const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The request being built by [`Operation::encode`].
#[derive(Debug)]
pub struct RequestParts<'a> {
    meta: &'a OperationMeta,
    identity: &'a Identity,
    path_values: Vec<(&'static str, String)>,
    query: String,
    headers: HeaderMap,
    body: Bytes,
}

impl<'a> RequestParts<'a> {
    /// Starts a request for `meta`.
    pub fn new(meta: &'a OperationMeta, identity: &'a Identity) -> Self {
        RequestParts {
            meta,
            identity,
            path_values: Vec::new(),
            query: String::new(),
            // Room for the operation's headers and the ones added after encoding (User-Agent,
            // then Host, X-Sdk-Date, Authorization, X-Project-Id... when signing), so the
            // map is allocated once instead of growing while the request is signed.
            headers: HeaderMap::with_capacity(16),
            body: Bytes::new(),
        }
    }

    fn invalid(&self, message: String) -> Error {
        Error::InvalidInput {
            operation: self.meta.name,
            message,
        }
    }

    /// Sets path parameter `name`. The value is one path segment: `/` and every other
    /// reserved character is percent-encoded, so `a/../b` cannot climb the path.
    pub fn path(&mut self, name: &'static str, value: &impl ParamValue) -> Result<(), Error> {
        let text = value.param_text();
        if text.is_empty() {
            return Err(self.invalid(format!("path parameter `{name}` is empty")));
        }
        // `.` and `..` survive percent-encoding (URL parsers decode `%2E` and normalise
        // dot segments), so they would move the request to another path: refuse them.
        if text == "." || text == ".." {
            return Err(self.invalid(format!(
                "path parameter `{name}` is `{text}`, which would change the request path"
            )));
        }
        self.path_values.push((
            name,
            Cow::from(utf8_percent_encode(&text, COMPONENT)).into_owned(),
        ));
        Ok(())
    }

    /// Sets path parameter `name` from `value`, or from the client's identity when `None`.
    pub fn path_or_implicit(
        &mut self,
        name: &'static str,
        value: Option<&String>,
        implicit: Implicit,
    ) -> Result<(), Error> {
        let from_client = match implicit {
            Implicit::ProjectId => self.identity.project_id.as_ref(),
            Implicit::DomainId => self.identity.domain_id.as_ref(),
        };
        match value.or(from_client) {
            Some(value) => self.path(name, value),
            None => Err(self.invalid(format!(
                "path parameter `{name}` is not set and the client has no {}; set it on the request, the client builder or the credentials",
                match implicit {
                    Implicit::ProjectId => "project id",
                    Implicit::DomainId => "domain id",
                }
            ))),
        }
    }

    /// Adds query parameter `name` once per value (none for `None`, each element of a list).
    pub fn query(&mut self, name: &'static str, value: &impl ParamValues) {
        value.each_param(&mut |text| {
            if !self.query.is_empty() {
                self.query.push('&');
            }
            // Pieces appended as they are encoded, without the formatting machinery.
            self.query.extend(utf8_percent_encode(name, COMPONENT));
            self.query.push('=');
            self.query.extend(utf8_percent_encode(&text, COMPONENT));
        });
    }

    /// Adds query parameter `name` once, a list comma-joined (`collection_format: csv`);
    /// nothing for `None` or an empty list.
    pub fn query_csv(&mut self, name: &'static str, value: &impl ParamValues) {
        if let Some(joined) = comma_joined(value) {
            self.query(name, &joined);
        }
    }

    /// Sets header `name` (nothing for `None`; a list is comma-joined). The name is made
    /// once, where the operation is written (the generated code has a constant in
    /// lowercase), not per request.
    pub fn header(&mut self, name: HeaderName, value: &impl ParamValues) -> Result<(), Error> {
        let Some(joined) = comma_joined(value) else {
            return Ok(());
        };
        // The joined `String` becomes the value's storage, not copied again.
        let value = HeaderValue::from_maybe_shared(Bytes::from(joined)).map_err(|_| {
            self.invalid(format!(
                "header `{name}` has a value that is not allowed in HTTP headers (control characters such as CR or LF)"
            ))
        })?;
        self.headers.insert(name, value);
        Ok(())
    }

    /// Sets a JSON body (nothing for `None`).
    ///
    /// Bodies are [`Json`] rather than `Serialize`: see [`crate::model`] for why.
    pub fn json_body<T: Json>(
        &mut self,
        content_type: &'static str,
        body: Option<&T>,
    ) -> Result<(), Error> {
        let Some(body) = body else { return Ok(()) };
        let mut bytes = Vec::with_capacity(256);
        body.write_json(&mut bytes);
        self.set_body(content_type, Bytes::from(bytes));
        Ok(())
    }

    /// Sets a JSON body from any `Serialize` type (nothing for `None`): for operations
    /// written by hand. Generated operations use [`json_body`](Self::json_body).
    pub fn serde_json_body<T: Serialize + ?Sized>(
        &mut self,
        content_type: &'static str,
        body: Option<&T>,
    ) -> Result<(), Error> {
        let Some(body) = body else { return Ok(()) };
        let bytes = serde_json::to_vec(body).map_err(|e| Error::Encode {
            operation: self.meta.name,
            message: e.to_string(),
        })?;
        self.set_body(content_type, Bytes::from(bytes));
        Ok(())
    }

    /// Sets an `application/x-www-form-urlencoded` body (nothing for `None`).
    pub fn form_body<T: Serialize>(
        &mut self,
        content_type: &'static str,
        body: Option<&T>,
    ) -> Result<(), Error> {
        let Some(body) = body else { return Ok(()) };
        let text = serde_urlencoded::to_string(body).map_err(|e| Error::Encode {
            operation: self.meta.name,
            message: e.to_string(),
        })?;
        self.set_body(content_type, Bytes::from(text));
        Ok(())
    }

    /// Sets a raw body, e.g. `application/octet-stream` (nothing for `None`).
    pub fn bytes_body(
        &mut self,
        content_type: &'static str,
        body: Option<&Bytes>,
    ) -> Result<(), Error> {
        if let Some(body) = body {
            self.set_body(content_type, body.clone());
        }
        Ok(())
    }

    /// Sets a `multipart/form-data` body (nothing for `None`).
    pub fn multipart_body<T: MultipartBody>(&mut self, body: Option<&T>) -> Result<(), Error> {
        let Some(body) = body else { return Ok(()) };
        let mut form = MultipartWriter::new();
        body.write_parts(&mut form);
        let (content_type, bytes) = form.finish();
        let value = HeaderValue::from_str(&content_type).map_err(|_| {
            self.invalid("a multipart boundary is not a valid header value".to_owned())
        })?;
        self.headers.insert(CONTENT_TYPE, value);
        self.body = bytes;
        Ok(())
    }

    fn set_body(&mut self, content_type: &'static str, body: Bytes) {
        self.headers
            .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        self.body = body;
    }

    /// Appends the path with every `{name}` replaced to `out`; an undeclared or unset name
    /// is an error.
    fn render_path(&self, out: &mut String) -> Result<(), Error> {
        let template = self.meta.path;
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let close = after
                .find('}')
                .ok_or_else(|| self.invalid(format!("path template `{template}` is malformed")))?;
            let name = &after[..close];
            let value = self
                .path_values
                .iter()
                .find(|(n, _)| *n == name)
                .ok_or_else(|| self.invalid(format!("path parameter `{name}` is not set")))?;
            out.push_str(&value.1);
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        Ok(())
    }

    /// The finished request against `base` (`scheme://authority[/prefix]`).
    pub fn finish(self, base: &str) -> Result<http::Request<Bytes>, Error> {
        let values: usize = self.path_values.iter().map(|(_, v)| v.len()).sum();
        let mut uri = String::with_capacity(
            base.len() + self.meta.path.len() + values + self.query.len() + 1,
        );
        uri.push_str(base.trim_end_matches('/'));
        self.render_path(&mut uri)?;
        if !self.query.is_empty() {
            uri.push('?');
            uri.push_str(&self.query);
        }
        let uri: http::Uri = uri
            .parse()
            .map_err(|e| self.invalid(format!("the request URI is not valid: {e}")))?;
        let mut request = http::Request::new(self.body);
        *request.method_mut() = self.meta.method.clone();
        *request.uri_mut() = uri;
        *request.headers_mut() = self.headers;
        Ok(request)
    }
}

/// Every value of `value` joined with `,`; `None` when it has none.
fn comma_joined(value: &impl ParamValues) -> Option<String> {
    let mut joined: Option<String> = None;
    value.each_param(&mut |text| match &mut joined {
        Some(j) => {
            j.push(',');
            j.push_str(&text);
        }
        None => joined = Some(text.into_owned()),
    });
    joined
}

/// A value that can be a path, query or header parameter.
pub trait ParamValue {
    /// The text sent on the wire (before percent-encoding).
    fn param_text(&self) -> Cow<'_, str>;
}

/// Zero, one or many parameter values: scalars, `Option`s and `Vec`s of scalars.
pub trait ParamValues {
    /// Calls `f` once per value.
    fn each_param(&self, f: &mut dyn FnMut(Cow<'_, str>));
}

macro_rules! display_param {
    ($($t:ty),*) => {$(
        impl ParamValue for $t {
            fn param_text(&self) -> Cow<'_, str> {
                Cow::Owned(self.to_string())
            }
        }
        impl ParamValues for $t {
            fn each_param(&self, f: &mut dyn FnMut(Cow<'_, str>)) {
                f(self.param_text())
            }
        }
    )*};
}

display_param!(bool, i32, i64, u32, u64, f64);

macro_rules! str_param {
    ($($t:ty => |$v:ident| $e:expr),*) => {$(
        impl ParamValue for $t {
            fn param_text(&self) -> Cow<'_, str> {
                let $v = self;
                Cow::Borrowed($e)
            }
        }
        impl ParamValues for $t {
            fn each_param(&self, f: &mut dyn FnMut(Cow<'_, str>)) {
                f(self.param_text())
            }
        }
    )*};
}

str_param!(String => |v| v.as_str(), str => |v| v, Timestamp => |v| v.as_str(), Secret => |v| v.expose());

impl<T: ParamValue + ?Sized> ParamValue for &T {
    fn param_text(&self) -> Cow<'_, str> {
        (**self).param_text()
    }
}

impl<T: ParamValue + ?Sized> ParamValues for &T {
    fn each_param(&self, f: &mut dyn FnMut(Cow<'_, str>)) {
        f(self.param_text())
    }
}

impl<T: ParamValue> ParamValues for Option<T> {
    fn each_param(&self, f: &mut dyn FnMut(Cow<'_, str>)) {
        if let Some(v) = self {
            f(v.param_text())
        }
    }
}

impl<T: ParamValue> ParamValues for Vec<T> {
    fn each_param(&self, f: &mut dyn FnMut(Cow<'_, str>)) {
        for v in self {
            f(v.param_text())
        }
    }
}

impl<T: ParamValue> ParamValues for Option<Vec<T>> {
    fn each_param(&self, f: &mut dyn FnMut(Cow<'_, str>)) {
        for v in self.iter().flatten() {
            f(v.param_text())
        }
    }
}

/// A file sent as a part of a `multipart/form-data` body.
#[derive(Clone, PartialEq, Eq)]
pub struct FilePart {
    /// The file name sent in `Content-Disposition`.
    pub file_name: String,
    /// The part's media type; `application/octet-stream` when `None`.
    pub content_type: Option<String>,
    /// The file's contents.
    pub bytes: Bytes,
}

impl FilePart {
    /// A file named `file_name` with `bytes` as contents.
    pub fn new(file_name: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        FilePart {
            file_name: file_name.into(),
            content_type: None,
            bytes: bytes.into(),
        }
    }

    /// Sets the part's media type, e.g. `application/vnd.ms-excel`.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }
}

impl std::fmt::Debug for FilePart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The contents can be large and binary: their length says enough.
        f.debug_struct("FilePart")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// A body type sent as `multipart/form-data` (generated for form types with files).
pub trait MultipartBody {
    /// Writes each field as a part.
    fn write_parts(&self, form: &mut MultipartWriter);
}

/// Builds a `multipart/form-data` body (RFC 7578).
#[derive(Debug)]
pub struct MultipartWriter {
    boundary: String,
    body: Vec<u8>,
}

impl MultipartWriter {
    fn new() -> Self {
        // Random, so it cannot collide with file contents in practice.
        let boundary = format!("hwcloud-{:032x}", rand::random::<u128>());
        MultipartWriter {
            boundary,
            body: Vec::new(),
        }
    }

    /// A text part per value (none for `None`).
    pub fn text(&mut self, name: &str, value: &impl ParamValues) {
        let mut parts = Vec::new();
        value.each_param(&mut |text| parts.push(text.into_owned()));
        for text in parts {
            self.part_header(name, None, None);
            self.body.extend_from_slice(text.as_bytes());
            self.body.extend_from_slice(b"\r\n");
        }
    }

    /// A file part (none for `None`).
    pub fn file(&mut self, name: &str, file: Option<&FilePart>) {
        let Some(file) = file else { return };
        let content_type = file
            .content_type
            .as_deref()
            .unwrap_or("application/octet-stream");
        self.part_header(name, Some(&file.file_name), Some(content_type));
        self.body.extend_from_slice(&file.bytes);
        self.body.extend_from_slice(b"\r\n");
    }

    fn part_header(&mut self, name: &str, file_name: Option<&str>, content_type: Option<&str>) {
        // Quotes and line breaks cannot appear inside the quoted names (RFC 7578 4.2).
        let clean = |s: &str| s.replace(['"', '\r', '\n'], "_");
        let mut header = format!(
            "--{}\r\nContent-Disposition: form-data; name=\"{}\"",
            self.boundary,
            clean(name)
        );
        if let Some(file_name) = file_name {
            header.push_str(&format!("; filename=\"{}\"", clean(file_name)));
        }
        header.push_str("\r\n");
        if let Some(content_type) = content_type {
            header.push_str(&format!("Content-Type: {}\r\n", clean(content_type)));
        }
        header.push_str("\r\n");
        self.body.extend_from_slice(header.as_bytes());
    }

    fn finish(mut self) -> (String, Bytes) {
        self.body
            .extend_from_slice(format!("--{}--\r\n", self.boundary).as_bytes());
        (
            format!("multipart/form-data; boundary={}", self.boundary),
            Bytes::from(self.body),
        )
    }
}

/// A string enum of the specs: known values plus `Unknown(String)`.
///
/// Generated enums implement it and get serde, `Display`, `FromStr` and parameter
/// encoding from [`crate::impl_string_enum!`], which keeps the generated code small.
pub trait StringEnum: Sized {
    /// Every value the spec documents, in spec order.
    const VALUES: &'static [&'static str];
    /// The wire value.
    fn as_str(&self) -> &str;
    /// The variant for a wire value; unknown values are kept, not rejected.
    fn from_wire(value: &str) -> Self;
}

/// Implements `model::Json`, serde, `Display`, `FromStr`, `From<&str>` and parameter
/// encoding for a [`StringEnum`]. Used by the generated code.
#[macro_export]
macro_rules! impl_string_enum {
    ($t:ty) => {
        impl ::std::fmt::Display for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($crate::StringEnum::as_str(self))
            }
        }
        impl ::std::str::FromStr for $t {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(<$t as $crate::StringEnum>::from_wire(s))
            }
        }
        impl ::std::convert::From<&str> for $t {
            fn from(s: &str) -> Self {
                <$t as $crate::StringEnum>::from_wire(s)
            }
        }
        impl $crate::__private::serde::Serialize for $t {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str($crate::StringEnum::as_str(self))
            }
        }
        impl<'de> $crate::__private::serde::Deserialize<'de> for $t {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                $crate::__private::deserialize_string_enum(deserializer)
            }
        }
        impl $crate::model::Json for $t {
            fn to_json(&self) -> $crate::__private::serde_json::Value {
                $crate::__private::serde_json::Value::String(
                    $crate::StringEnum::as_str(self).to_owned(),
                )
            }
            fn read_json(
                span: $crate::model::JsonSpan<'_>,
                decoder: &mut $crate::model::Decoder,
            ) -> ::std::result::Result<Self, $crate::model::FieldError> {
                $crate::__private::string_enum_read_json(span, decoder)
            }
        }
        impl $crate::operation::ParamValue for $t {
            fn param_text(&self) -> ::std::borrow::Cow<'_, str> {
                ::std::borrow::Cow::Borrowed($crate::StringEnum::as_str(self))
            }
        }
        impl $crate::operation::ParamValues for $t {
            fn each_param(&self, f: &mut dyn FnMut(::std::borrow::Cow<'_, str>)) {
                f($crate::operation::ParamValue::param_text(self))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    static META: OperationMeta = OperationMeta {
        name: "Svc.Op",
        method: Method::GET,
        path: "/v1/{project_id}/items/{item}",
        success: &[200],
        auth: &[],
        sensitive_body: false,
        download: false,
    };

    #[test]
    fn path_segments_are_encoded_and_cannot_climb() {
        let identity = Identity {
            project_id: Some("p1".into()),
            domain_id: None,
        };
        let mut parts = RequestParts::new(&META, &identity);
        parts
            .path_or_implicit("project_id", None, Implicit::ProjectId)
            .unwrap();
        parts.path("item", &"a/../b c").unwrap();
        parts.query("tags", &vec!["x y".to_owned(), "z".to_owned()]);
        parts.query("limit", &Some(10));
        parts.query("offset", &None::<i32>);
        let request = parts.finish("https://h.example").unwrap();
        assert_eq!(
            request.uri().to_string(),
            "https://h.example/v1/p1/items/a%2F..%2Fb%20c?tags=x%20y&tags=z&limit=10"
        );
    }

    #[test]
    fn empty_path_parameter_and_missing_project_are_invalid_input() {
        let identity = Identity::default();
        let mut parts = RequestParts::new(&META, &identity);
        let err = parts.path("item", &"").unwrap_err();
        assert!(
            err.to_string().contains("path parameter `item` is empty"),
            "{err}"
        );
        for dots in [".", ".."] {
            let err = parts.path("item", &dots).unwrap_err();
            assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
        }
        let err = parts
            .path_or_implicit("project_id", None, Implicit::ProjectId)
            .unwrap_err();
        assert!(err.to_string().contains("no project id"), "{err}");
    }

    #[test]
    fn csv_query_is_one_comma_joined_parameter() {
        let identity = Identity::default();
        let meta = OperationMeta {
            name: "Svc.Op",
            method: Method::GET,
            path: "/x",
            success: &[200],
            auth: &[],
            sensitive_body: false,
            download: false,
        };
        let mut parts = RequestParts::new(&meta, &identity);
        parts.query_csv("tags", &vec!["a b".to_owned(), "c".to_owned()]);
        parts.query_csv("none", &None::<Vec<String>>);
        let request = parts.finish("https://h.example").unwrap();
        assert_eq!(request.uri().query(), Some("tags=a%20b%2Cc"));
    }

    struct Upload {
        name: String,
        file: FilePart,
    }

    impl MultipartBody for Upload {
        fn write_parts(&self, form: &mut MultipartWriter) {
            form.text("name", &self.name);
            form.file("file", Some(&self.file));
        }
    }

    #[test]
    fn multipart_body_has_text_and_file_parts() {
        let identity = Identity::default();
        let meta = OperationMeta {
            name: "Svc.Op",
            method: Method::POST,
            path: "/x",
            success: &[200],
            auth: &[],
            sensitive_body: false,
            download: false,
        };
        let mut parts = RequestParts::new(&meta, &identity);
        let upload = Upload {
            name: "apis".into(),
            file: FilePart::new("apis.xlsx", &b"\x00\x01binary"[..])
                .content_type("application/vnd.ms-excel"),
        };
        parts.multipart_body(Some(&upload)).unwrap();
        let request = parts.finish("https://h.example").unwrap();
        let content_type = request.headers()[CONTENT_TYPE].to_str().unwrap().to_owned();
        let boundary = content_type
            .strip_prefix("multipart/form-data; boundary=")
            .unwrap();
        let expected = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\napis\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"apis.xlsx\"\r\nContent-Type: application/vnd.ms-excel\r\n\r\n\x00\x01binary\r\n--{boundary}--\r\n"
        );
        assert_eq!(request.body().as_ref(), expected.as_bytes());
    }

    #[test]
    fn header_with_newline_is_invalid_input() {
        let identity = Identity::default();
        let mut parts = RequestParts::new(&META, &identity);
        let err = parts
            .header(HeaderName::from_static("workspace"), &"a\r\nX-Evil: 1")
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    }
}
