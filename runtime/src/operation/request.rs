//! Request encoding: parameters and bodies into the parts of an HTTP request.

use std::borrow::Cow;

use bytes::Bytes;
use http::HeaderMap;
use http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;

use super::meta::{Identity, Implicit, OperationMeta};
use super::multipart::{MultipartBody, MultipartWriter};
use super::params::{ParamValue, ParamValues};
use crate::error::Error;
use crate::model::Json;

/// RFC 3986 unreserved characters stay, everything else is percent-encoded: the same set
/// the AK/SK signer uses for its canonical form, so the wire form is already canonical.
pub(crate) const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The request being built by [`Operation::encode`](super::Operation::encode).
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

#[cfg(test)]
mod tests {
    use http::Method;

    use super::*;
    use crate::operation::FilePart;

    static META: OperationMeta = OperationMeta {
        name: "Svc.Op",
        method: Method::GET,
        path: "/v1/{project_id}/items/{item}",
        success: &[200],
        auth: &[],
        sensitive_body: false,
        download: false,
        idempotent: false,
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

    /// An anonymous operation `Svc.Op` at `/x`, answered 200.
    fn meta(method: Method) -> OperationMeta {
        OperationMeta {
            name: "Svc.Op",
            method,
            path: "/x",
            success: &[200],
            auth: &[],
            sensitive_body: false,
            download: false,
            idempotent: false,
        }
    }

    #[test]
    fn csv_query_is_one_comma_joined_parameter() {
        let identity = Identity::default();
        let meta = meta(Method::GET);
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
        let meta = meta(Method::POST);
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
