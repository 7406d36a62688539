//! `multipart/form-data` bodies (RFC 7578): files and text parts.

use bytes::Bytes;

use super::params::ParamValues;

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
    pub(super) fn new() -> Self {
        // Random, so it cannot collide with file contents in practice.
        let boundary = format!("hwcloud-{:032x}", crate::random::u128());
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

    pub(super) fn finish(mut self) -> (String, Bytes) {
        self.body
            .extend_from_slice(format!("--{}--\r\n", self.boundary).as_bytes());
        (
            format!("multipart/form-data; boundary={}", self.boundary),
            Bytes::from(self.body),
        )
    }
}
