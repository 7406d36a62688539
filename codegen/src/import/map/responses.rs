//! An operation's responses: statuses, success and error body types, files, headers.

#[allow(clippy::wildcard_imports)]
use super::*;

impl OpCx<'_, '_> {
    pub(super) fn responses(&mut self, op_name: &str) -> Result<IndexMap<u16, ResponseSpec>, Fail> {
        let doc = self.types.doc;
        let mut out: BTreeMap<u16, ResponseSpec> = BTreeMap::new();
        let mut success_type: Option<(String, String)> = None;
        let redirect_success = doc.has_3xx_success();
        for r in &doc.responses {
            let status = match r.status.parse::<u16>() {
                Ok(s) if (100..=599).contains(&s) => s,
                _ => {
                    self.notes.push(format!(
                        "Left out: response `{}` (not an HTTP status).",
                        r.status
                    ));
                    self.review(format!(
                        "response `{}` left out: not an HTTP status",
                        r.status
                    ));
                    continue;
                }
            };
            // A 3xx is a success when it is marked so (our export), or when the document
            // has no 2xx at all (version discovery's `300 Multiple Choices`).
            let marked = (300..400).contains(&status) && (r.success || redirect_success);
            let success = (200..300).contains(&status) || marked;
            let hint = if success {
                format!("{op_name}ResponseBody")
            } else {
                format!("{op_name}ErrorBody")
            };
            let binary = r
                .content_type
                .as_deref()
                .is_some_and(|c| c.contains("octet-stream"));
            // HTTP 204 has no content (RFC 9110 15.3.5): a schema there is a document
            // mistake, and a typed body would make every real answer a decode error.
            if status == 204 && r.schema.is_some() {
                self.notes.push(
                    "Left out: the body schema of response 204 (a 204 has no body).".to_owned(),
                );
                self.review("response 204's body schema left out: a 204 has no body".to_owned());
            }
            let schema = r.schema.as_ref().filter(|_| status != 204);
            let ty = match schema {
                // A file, with or without a schema (SMN's certificate downloads document
                // only their `content-type` header).
                _ if binary && status != 204 => Some("bytes".to_owned()),
                Some(s) => Some(self.types.expr(
                    s,
                    &schema_ptr(&r.ptr, r.content_type.as_deref()),
                    &hint,
                    Place::Body,
                )?),
                None => None,
            };
            if success && let Some(ty) = &ty {
                match &success_type {
                    Some((first, _)) if first != ty => {
                        return Err(Fail::Lack {
                            lack: Lack::SuccessBodies,
                            pointer: r.ptr.clone(),
                        });
                    }
                    _ => success_type = Some((ty.clone(), r.ptr.clone())),
                }
            }
            let mut headers = IndexMap::new();
            // A file's `content-type` is its body's media type, not a field.
            let file_type =
                |name: &str| ty.is_some() && binary && name.eq_ignore_ascii_case("content-type");
            for (name, h) in r.headers.iter().filter(|(name, _)| !file_type(name)) {
                let key = snake(name);
                if !is_ident(&key) {
                    return Err(Problem::new(
                        &doc.file,
                        &ptr(&ptr(&r.ptr, "headers"), name),
                        format!("header name `{name}` cannot become a Rust identifier"),
                    )
                    .into());
                }
                headers.insert(
                    key.clone(),
                    HeaderSpec {
                        name: (name != &key).then(|| name.clone()),
                        sensitive: is_secret(name, h),
                        doc: doc_of(h),
                    },
                );
            }
            out.insert(
                status,
                ResponseSpec {
                    doc: r
                        .description
                        .as_deref()
                        .map(|d| decode_entities(d.trim()))
                        .unwrap_or_default(),
                    ty,
                    headers,
                    success: marked,
                },
            );
        }
        Ok(out.into_iter().collect())
    }
}
