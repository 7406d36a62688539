//! Documents -> one [`ServiceSpec`]: operations, parameters, bodies, responses, examples,
//! error codes, endpoint and auth. Types go through [`super::types`]; pagination through
//! [`super::paging`].

use std::collections::{BTreeMap, HashMap, HashSet};

use indexmap::IndexMap;

use super::doc::{Document, In, Problem, Problems, decode_entities, ptr};
use super::example_url::url_params;
use super::findings::{Review, Skip};
use super::types::{DocTypes, Fail, Lack, Place, Renamed, Types, doc_of, is_secret};
use super::{op_names, paging};
use crate::names::{self, RESERVED_TYPES, is_ident, pascal, snake, variant};

use crate::spec::{
    AuthKind, BodySpec, CollectionFormat, ErrorCodeSpec, ExampleRequest, ExampleResponse,
    ExampleSpec, HeaderSpec, Implicit, Method, OperationSpec, ParamLocation, ParamSpec,
    ResponseSpec, ServiceSpec,
};

mod responses;

/// Headers the credentials or the body supply: never parameters.
const SUPPLIED_HEADERS: &[&str] = &[
    "x-auth-token",
    "x-project-id",
    "x-domain-id",
    "x-sdk-date",
    "authorization",
    "host",
    "content-type",
];

/// What the importer leaves out on the validator's word (filled by [`super::import`]'s
/// fixed-point loop): whole operations, single examples, a pagination declaration.
#[derive(Debug, Clone, Default)]
pub struct Exclusions {
    pub ops: BTreeMap<String, String>,
    pub examples: BTreeMap<(String, String), String>,
    pub pagination: BTreeMap<String, String>,
}

/// The mapping's result.
#[derive(Debug)]
pub struct Mapped {
    pub spec: ServiceSpec,
    /// Operation name -> (file, pointer).
    pub origins: IndexMap<String, (String, String)>,
    /// Type name -> (file, pointer) of the first definition.
    pub type_origins: IndexMap<String, (String, String)>,
    /// YAML comments under an operation (e.g. the headers left out).
    pub notes: HashMap<String, Vec<String>>,
    pub skipped: Vec<Skip>,
    pub renamed: Vec<Renamed>,
    pub review: Vec<Review>,
    /// Operations read (one per API Explorer document).
    pub documents: usize,
    /// Second documents of an operation, left out (listed in `review`).
    pub duplicates: usize,
    /// Operations marked `x-support-sdk: N`.
    pub not_in_sdk: usize,
}

/// Options of the mapping.
#[derive(Debug, Clone, Default)]
pub struct MapOptions {
    /// Service name; from the documents' product when left out.
    pub service: Option<String>,
    /// Leave out operations with bad input (listed) instead of failing.
    pub skip_invalid: bool,
}

/// Maps every document; bad input is an error, constructs the format lacks are skips.
pub fn map(
    docs: &[Document],
    options: &MapOptions,
    exclusions: &Exclusions,
) -> Result<Mapped, Problems> {
    let mut docs: Vec<&Document> = docs.iter().collect();
    docs.sort_by(|a, b| a.name.cmp(&b.name).then(a.file.cmp(&b.file)));
    let documents = docs.len();
    let duplicates = op_names::drop_duplicates(&mut docs);
    let mut skipped = Vec::new();
    match op_names::check_names(&docs) {
        Ok(()) => {}
        Err(Problems(problems)) if options.skip_invalid => {
            // Every document a problem names is left out (for two documents of one name:
            // the later ones).
            let bad: HashSet<(&str, &str)> = problems
                .iter()
                .map(|p| (p.file.as_str(), p.pointer.as_str()))
                .collect();
            docs.retain(|d| {
                let drop = bad.contains(&(d.file.as_str(), d.name_ptr.as_str()));
                if drop {
                    let p = problems
                        .iter()
                        .find(|p| p.file == d.file)
                        .map(|p| p.message.clone())
                        .unwrap_or_default();
                    skipped.push(Skip {
                        op: d.name.clone(),
                        file: d.file.clone(),
                        pointer: d.name_ptr.clone(),
                        lack: Lack::BadInput(p),
                    });
                }
                !drop
            });
        }
        Err(problems) => return Err(problems),
    }
    if docs.is_empty() {
        return Err(Problem::new(
            &options.service.clone().unwrap_or_default(),
            "",
            "no operation left to import",
        )
        .into());
    }
    let product = docs.iter().find_map(|d| d.product.clone());
    let service = match options
        .service
        .clone()
        .or_else(|| product.as_deref().map(pascal))
    {
        Some(s) if is_ident(&s) => s,
        Some(s) => {
            return Err(Problem::new(&docs[0].file, "/product_short", format!("`{s}` cannot become a service name (expected a PascalCase identifier; give one with --service)")).into());
        }
        None => {
            return Err(Problem::new(
                docs.first().map_or("", |d| &d.file),
                "/product_short",
                "the documents name no product (give the service name with --service)",
            )
            .into());
        }
    };
    let (endpoint, host) = endpoint(&docs);
    let mut types = Types::default();
    types
        .reserved
        .extend(RESERVED_TYPES.iter().map(|s| (*s).to_owned()));
    types.reserved.insert(names::client_type(&service));
    for d in &docs {
        let p = pascal(&d.name);
        types.reserved.insert(names::request_type(&p));
        types.reserved.insert(names::response_type(&p));
    }
    let mut out = Mapped {
        spec: ServiceSpec {
            service: service.clone(),
            doc: format!(
                "{} APIs, imported from Huawei Cloud API Explorer documents.",
                product.as_deref().unwrap_or(&service)
            ),
            endpoint,
            auth: vec![AuthKind::Aksk, AuthKind::Token],
            errors: Vec::new(),
            operations: IndexMap::new(),
            types: IndexMap::new(),
        },
        origins: IndexMap::new(),
        type_origins: IndexMap::new(),
        notes: HashMap::new(),
        skipped,
        renamed: Vec::new(),
        duplicates: duplicates.len(),
        review: duplicates,
        documents,
        not_in_sdk: docs.iter().filter(|d| d.support_sdk == Some(false)).count(),
    };
    let mut problems = Vec::new();
    let mut codes: BTreeMap<(String, u16), ErrorCodeSpec> = BTreeMap::new();
    for doc in docs {
        let skip = |lack: Lack, pointer: &str| Skip {
            op: doc.name.clone(),
            file: doc.file.clone(),
            pointer: pointer.to_owned(),
            lack,
        };
        if let Some(reason) = exclusions.ops.get(&doc.name) {
            out.skipped
                .push(skip(Lack::Validator(reason.clone()), &doc.ptr));
            continue;
        }
        if host.is_some() && doc.host.is_some() && doc.host != host {
            out.skipped.push(skip(Lack::OtherEndpoint, "/host"));
            continue;
        }
        let mark = types.mark();
        let mut cx = OpCx {
            types: DocTypes::new(doc, &mut types),
            notes: Vec::new(),
            review: Vec::new(),
            exclusions,
        };
        match cx.operation() {
            Ok(op) => {
                let OpCx { notes, review, .. } = cx;
                if !notes.is_empty() {
                    out.notes.insert(doc.name.clone(), notes);
                }
                out.review.extend(review);
                out.origins
                    .insert(doc.name.clone(), (doc.file.clone(), doc.ptr.clone()));
                out.spec.operations.insert(doc.name.clone(), op);
                for e in &doc.error_codes {
                    // One entry per code (the format's error codes become enum variants);
                    // the same code under another status is listed for review.
                    if let Some(((_, first), _)) = codes
                        .iter()
                        .find(|((c, _), _)| variant(c) == variant(&e.code))
                        .filter(|((_, s), _)| *s != e.status)
                    {
                        out.review.push(Review {
                            op: doc.name.clone(),
                            file: doc.file.clone(),
                            message: format!(
                                "error code {} with status {} left out: listed with status {first}",
                                e.code, e.status
                            ),
                        });
                        continue;
                    }
                    if codes.keys().any(|(c, _)| variant(c) == variant(&e.code)) {
                        continue;
                    }
                    codes
                        .entry((e.code.clone(), e.status))
                        .or_insert_with(|| ErrorCodeSpec {
                            code: e.code.clone(),
                            status: e.status,
                            description: decode_entities(&e.description),
                            meaning: None,
                            handling: e.handling.as_deref().map(decode_entities),
                        });
                }
            }
            Err(Fail::Lack { lack, pointer }) => {
                types.rollback(mark);
                out.skipped.push(skip(lack, &pointer));
            }
            Err(Fail::Bad(p)) if options.skip_invalid => {
                types.rollback(mark);
                out.skipped
                    .push(skip(Lack::BadInput(p.message.clone()), &p.pointer));
            }
            Err(Fail::Bad(p)) => {
                types.rollback(mark);
                problems.push(p);
            }
        }
    }
    if !problems.is_empty() {
        return Err(Problems(problems));
    }
    out.spec.errors = codes.into_values().collect();
    out.renamed = types.renamed.clone();
    let mut names: Vec<String> = types.entries.keys().cloned().collect();
    names.sort();
    for name in names {
        if let Some(e) = types.entries.get(&name) {
            out.type_origins
                .insert(name.clone(), (e.file.clone(), e.pointer.clone()));
            out.spec.types.insert(name, e.spec.clone());
        }
    }
    super::optional::relax_response_types(&mut out.spec);
    Ok(out)
}

/// `https://<host>` of the most common host, the region replaced by `{region}`.
fn endpoint(docs: &[&Document]) -> (Option<String>, Option<String>) {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for d in docs {
        if let Some(h) = d.host.as_deref() {
            *counts.entry(h).or_default() += 1;
        }
    }
    // Most documents; the first name on a tie.
    let Some((host, _)) = counts.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))) else {
        return (None, None);
    };
    let region = docs
        .iter()
        .find(|d| d.host.as_deref() == Some(*host))
        .and_then(|d| d.region.clone());
    let templated = match region.as_deref() {
        Some(r) if r != "{region}" && !r.is_empty() => host
            .split('.')
            .map(|part| if part == r { "{region}" } else { part })
            .collect::<Vec<_>>()
            .join("."),
        _ => (*host).to_owned(),
    };
    let endpoint = if templated.contains("://") {
        templated
    } else {
        format!("https://{templated}")
    };
    (Some(endpoint), Some((*host).to_owned()))
}

struct OpCx<'a, 'd> {
    types: DocTypes<'d>,
    notes: Vec<String>,
    review: Vec<Review>,
    exclusions: &'a Exclusions,
}

impl OpCx<'_, '_> {
    fn doc(&self) -> &Document {
        self.types.doc
    }

    fn review(&mut self, message: String) {
        let (op, file) = (self.doc().name.clone(), self.doc().file.clone());
        self.review.push(Review { op, file, message });
    }

    fn operation(&mut self) -> Result<OperationSpec, Fail> {
        let doc = self.types.doc;
        let method = match doc.method.as_str() {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "DELETE" => Method::Delete,
            "PATCH" => Method::Patch,
            "HEAD" => Method::Head,
            other => {
                return Err(Fail::Lack {
                    lack: Lack::OtherType(format!("method {other}")),
                    pointer: doc.ptr.clone(),
                });
            }
        };
        let op_name = pascal(&doc.name);
        let params = self.params(&op_name)?;
        let body = self.body(&op_name)?;
        let responses = self.responses(&op_name)?;
        let auth = super::auth::token_issuing(doc, &responses).then(|| {
            self.notes.push(
                "Issues a token (X-Subject-Token) and takes no X-Auth-Token: sent without credentials."
                    .to_owned(),
            );
            vec![AuthKind::None]
        });
        if let Some(base) = &doc.base_path {
            self.notes.push(format!(
                "Path: the document gives it without `{base}`, which its example URLs call."
            ));
        }
        let description = doc
            .description
            .as_deref()
            .or(doc.summary.as_deref())
            .map(|d| decode_entities(d.trim()))
            .unwrap_or_default();
        let mut op = OperationSpec {
            doc: description,
            method,
            path: doc.path.clone(),
            params,
            body,
            responses,
            auth,
            token_source: None,
            id_source: None,
            pagination: None,
            examples: Vec::new(),
            // API Explorer documents do not say whether an operation is a read (no
            // `x-is-read-only` or similar key in the 15 products' 1,400 documents): only
            // an `x-idempotent` (our OpenAPI export's) marks one. The spec key is for
            // POST and PATCH; other methods are idempotent already.
            idempotent: doc.idempotent && matches!(method, Method::Post | Method::Patch),
        };
        match self.exclusions.pagination.get(&doc.name) {
            Some(reason) => self.review(format!("pagination not declared: {reason}")),
            None => match paging::detect(&op, &doc.params, &self.types.types.entries) {
                Ok(p) => op.pagination = p,
                Err(message) => self.review(message),
            },
        }
        op.examples = self.examples(&op);
        Ok(op)
    }

    fn params(&mut self, op_name: &str) -> Result<IndexMap<String, ParamSpec>, Fail> {
        let doc = self.types.doc;
        let mut out = IndexMap::new();
        let mut left_out = Vec::new();
        let mut stray = Vec::new();
        for p in &doc.params {
            // The token is the credential wherever a document puts it (VPC's `ListVpcTags`
            // lists `X-Auth-Token` as a query parameter).
            let supplied = p.location == In::Header || p.name.eq_ignore_ascii_case("x-auth-token");
            if supplied && SUPPLIED_HEADERS.contains(&p.name.to_ascii_lowercase().as_str()) {
                left_out.push(p.name.clone());
                continue;
            }
            if p.excluded {
                let location = format!("{:?}", p.location).to_lowercase();
                self.notes.push(format!("Left out: {location} parameter `{}` (the document marks it `x-exclude-param`).", p.name));
                continue;
            }
            // A path parameter the path does not have (IMS's `ShowJobProgress` lists
            // `project_id` for `/v1/cloudimages/job/{job_id}`): nothing could send it.
            if p.location == In::Path && !doc.path.contains(&format!("{{{}}}", p.name)) {
                stray.push(p.name.clone());
                continue;
            }
            let location = match p.location {
                In::Path => ParamLocation::Path,
                In::Query => ParamLocation::Query,
                In::Header => ParamLocation::Header,
                In::Cookie => {
                    return Err(Fail::Lack {
                        lack: Lack::CookieParam,
                        pointer: p.ptr.clone(),
                    });
                }
            };
            let base = snake(&p.name);
            if !is_ident(&base) {
                return Err(Problem::new(
                    &doc.file,
                    &ptr(&p.ptr, "name"),
                    format!(
                        "parameter name `{}` cannot become a Rust identifier (it becomes `{base}`)",
                        p.name
                    ),
                )
                .into());
            }
            let mut key = base.clone();
            let mut n = 1;
            while out.contains_key(&key) {
                n += 1;
                key = format!("{base}_{n}");
            }
            let hint = format!("{op_name}{}", pascal(&key));
            let ty = self.types.expr(&p.schema, &p.ptr, &hint, Place::Value)?;
            if self.types.types.is_structured(&ty) {
                return Err(Fail::Lack {
                    lack: Lack::ObjectParam,
                    pointer: p.ptr.clone(),
                });
            }
            let from = match (p.location, p.name.as_str(), ty.as_str()) {
                (In::Path, "project_id", "string") => Some(Implicit::ProjectId),
                (In::Path, "domain_id", "string") => Some(Implicit::DomainId),
                _ => None,
            };
            let csv =
                ty.starts_with("array<") && location == ParamLocation::Query && p.csv == Some(true);
            let sensitive = ty == "string" && is_secret(&p.name, &p.schema);
            out.insert(
                key.clone(),
                ParamSpec {
                    location,
                    name: (p.name != key).then(|| p.name.clone()),
                    ty: (ty != "string").then_some(ty),
                    enum_values: None,
                    required: p.required || location == ParamLocation::Path,
                    from,
                    sensitive,
                    collection_format: csv.then_some(CollectionFormat::Csv),
                    doc: doc_of(&p.schema),
                },
            );
        }
        if !left_out.is_empty() {
            self.notes.push(format!(
                "Left out: header(s) {} (supplied by the credentials or the body).",
                left_out.join(", ")
            ));
        }
        if !stray.is_empty() {
            let message = format!(
                "Left out: path parameter(s) {} that the path `{}` does not have.",
                stray.join(", "),
                doc.path
            );
            self.notes.push(message.clone());
            self.review(message);
        }
        Ok(out)
    }

    fn body(&mut self, op_name: &str) -> Result<Option<BodySpec>, Fail> {
        let doc = self.types.doc;
        let Some(b) = &doc.body else { return Ok(None) };
        let media = b
            .content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let place = match media.as_str() {
            json if crate::ir::is_json_media(json) => Place::Value,
            "application/x-www-form-urlencoded" => Place::Value,
            "multipart/form-data" => Place::Multipart,
            "application/octet-stream" => Place::Body,
            _ => {
                return Err(Fail::Lack {
                    lack: Lack::ContentType(b.content_type.clone()),
                    pointer: b.ptr.clone(),
                });
            }
        };
        let at = if media.contains("form") {
            b.ptr.clone()
        } else {
            ptr(&b.ptr, "schema")
        };
        let mut ty = self
            .types
            .expr(&b.schema, &at, &format!("{op_name}RequestBody"), place)?;
        if place == Place::Body {
            ty = "bytes".to_owned();
        }
        Ok(Some(BodySpec {
            content_type: b.content_type.clone(),
            ty,
            required: b.required,
            doc: b
                .description
                .as_deref()
                .map(|d| decode_entities(d.trim()))
                .filter(|d| !d.is_empty()),
        }))
    }

    /// Request examples (URL and body) and response examples, each its own entry.
    fn examples(&mut self, op: &OperationSpec) -> Vec<ExampleSpec> {
        let doc = self.types.doc;
        let mut out = Vec::new();
        for e in &doc.request_examples {
            let name = format!("request_{}", e.number);
            let params = match e.url.as_deref().map(|u| url_params(u, &doc.path, op)) {
                Some(Ok(p)) => p,
                Some(Err(message)) => {
                    self.review(format!("example {name} left out: {message}"));
                    continue;
                }
                None => IndexMap::new(),
            };
            let body = if op.body.is_some() {
                e.body.as_ref().and_then(|b| serde_yaml::to_value(b).ok())
            } else {
                None
            };
            if body.is_none() && op.body.as_ref().is_some_and(|b| b.required) {
                self.review(format!(
                    "example {name} left out: it has no body (none in the document, or none that parses as JSON), and the operation requires one: no test could build its request"
                ));
                continue;
            }
            out.push(ExampleSpec {
                name,
                request: Some(ExampleRequest { params, body }),
                response: None,
            });
        }
        for r in &doc.responses {
            let Ok(status) = r.status.parse::<u16>() else {
                continue;
            };
            let several = r.examples.len() > 1;
            for (i, (_, value)) in r.examples.iter().enumerate() {
                let name = if several {
                    format!("response_{status}_{}", i + 1)
                } else {
                    format!("response_{status}")
                };
                let body = serde_yaml::to_value(value).ok();
                out.push(ExampleSpec {
                    name,
                    request: None,
                    response: Some(ExampleResponse {
                        status,
                        headers: IndexMap::new(),
                        body,
                    }),
                });
            }
        }
        let excluded: Vec<(String, String)> = out
            .iter()
            .filter_map(|e| {
                let reason = self
                    .exclusions
                    .examples
                    .get(&(doc.name.clone(), e.name.clone()))?;
                Some((e.name.clone(), reason.clone()))
            })
            .collect();
        for (name, reason) in &excluded {
            self.review(format!("example {name} left out: {reason}"));
        }
        let excluded: HashSet<String> = excluded.into_iter().map(|(n, _)| n).collect();
        out.retain(|e| !excluded.contains(&e.name));
        out
    }
}

/// Where a response's schema is, for messages.
fn schema_ptr(at: &str, media: Option<&str>) -> String {
    match media {
        Some(m) => ptr(&ptr(&ptr(at, "content"), m), "schema"),
        None => ptr(at, "schema"),
    }
}
