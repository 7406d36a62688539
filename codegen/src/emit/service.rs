//! One service module: types, enums, error codes, requests, responses, the client.
//!
//! Per-operation code is kept small on purpose (compile time is what users pay): requests
//! and responses derive only `Clone` and `Debug`, the operation is static data plus an
//! `encode`/`decode` pair of one call per parameter, and all behaviour is in the runtime.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{doc_attrs, ident, type_tokens};
use crate::ir::{
    Body, BodyKind, ErrorCode, Field, IdSource, Operation, PageStyle, Pagination, Param, Refresh,
    RefreshValue, Service, SuccessBody, TypeDef, TypeKind, TypeRef, ValuePath, Variant,
};
use crate::spec::{AuthKind, Implicit, ParamLocation};

/// The items of a service module after its head, in output order.
#[derive(Debug, Clone, Copy)]
enum Item {
    Operation(usize),
    Type(usize),
    ErrorCodes,
    IdResolver,
}

fn items(service: &Service) -> Vec<Item> {
    let mut items: Vec<Item> = (0..service.operations.len()).map(Item::Operation).collect();
    items.extend((0..service.types.len()).map(Item::Type));
    if !service.errors.is_empty() {
        items.push(Item::ErrorCodes);
    }
    items.push(Item::IdResolver);
    items
}

/// How many items a service module has (operations, types, ...), to split it into chunks.
pub fn item_count(service: &Service) -> usize {
    items(service).len()
}

/// Chunk `range` of the items of `service`'s module; the chunk starting at 0 also holds the
/// module's head (docs, imports, metadata, client). Chunks are formatted independently
/// and concatenated, which gives the same text as formatting the whole module at once.
pub fn module_chunk(
    service: &Service,
    module_doc: &str,
    range: std::ops::Range<usize>,
) -> TokenStream {
    let head = (range.start == 0).then(|| {
        let doc = doc_attrs(module_doc).into_iter().map(|d| quote!(#![doc = #d]));
        let meta = service_meta(service);
        let client = client(service);
        let has_models = service
            .types
            .iter()
            .any(|t| matches!(t.kind, TypeKind::Struct(_)) && !t.multipart);
        let model_imports = has_models.then(|| {
            quote!(use hwcloud_runtime::model::{FieldError, Model, ObjectReader, ObjectWriter};)
        });
        quote! {
            #(#doc)*
            use hwcloud_runtime::operation::{OperationMeta, RequestParts, ResponseParts, ServiceMeta};
            use hwcloud_runtime::{Client, Error, Operation, ServiceClient};
            #model_imports
            #meta
            #client
        }
    });
    let all = items(service);
    let body = all[range].iter().map(|item| match *item {
        Item::Operation(i) => operation(service, &service.operations[i]),
        Item::Type(i) => type_def(&service.types[i]),
        Item::ErrorCodes => error_codes(service),
        Item::IdResolver => id_resolver(service).unwrap_or_default(),
    });
    quote! { #head #(#body)* }
}

fn service_meta(service: &Service) -> TokenStream {
    let name = &service.name;
    let endpoint = match &service.endpoint {
        Some(e) => quote!(Some(#e)),
        None => quote!(None),
    };
    let doc = format!("Static facts about the {name} service.");
    let doc = doc_attrs(&doc);
    quote! {
        #(#[doc = #doc])*
        pub static SERVICE: ServiceMeta = ServiceMeta { name: #name, endpoint: #endpoint };
    }
}

fn client(service: &Service) -> TokenStream {
    let client = ident(&service.client);
    let name = &service.name;
    let auth = service
        .auth
        .iter()
        .map(|a| match a {
            AuthKind::Aksk => "AK/SK signing",
            AuthKind::Token => "an IAM token (`X-Auth-Token`)",
            AuthKind::AccessToken => "an OAuth 2.0 access token (`access-token`)",
            AuthKind::AppToken => "an application token (`app_key` + `Authorization: Bearer`)",
            AuthKind::None => "no credentials",
        })
        .collect::<Vec<_>>()
        .join(", ");
    let doc = format!(
        "Client for {name}: one async method per operation. Cheap to clone; `Send + Sync`.\n\nAccepted credentials: {}.",
        if auth.is_empty() {
            "see the operations"
        } else {
            &auth
        }
    );
    let doc = doc_attrs(&doc);
    let methods = service.operations.iter().map(|op| {
        let method = ident(&op.method_name);
        let request = ident(&op.request);
        let response = ident(&op.response);
        let docs = doc_attrs(&operation_doc(op));
        quote! {
            #(#[doc = #docs])*
            pub async fn #method(&self, request: #request) -> Result<#response, Error> {
                self.inner.send(&request).await
            }
        }
    });
    let streams = service
        .operations
        .iter()
        .filter_map(|op| op.pagination.as_ref().map(|p| page_stream(op, p)));
    quote! {
        #(#[doc = #doc])*
        #[derive(Clone, Debug)]
        pub struct #client {
            inner: ServiceClient,
        }

        impl #client {
            /// Binds `client` to this service at the endpoint of the client's region (or
            /// its endpoint override).
            pub fn new(client: &Client) -> Result<Self, Error> {
                ServiceClient::new(client, &SERVICE).map(|inner| Self { inner })
            }

            /// Binds `client` to this service at `endpoint`.
            pub fn with_endpoint(client: &Client, endpoint: &str) -> Result<Self, Error> {
                ServiceClient::with_endpoint(client, &SERVICE, endpoint).map(|inner| Self { inner })
            }

            /// The endpoint calls go to.
            pub fn endpoint(&self) -> &str {
                self.inner.endpoint()
            }

            #(#methods)*
            #(#streams)*
        }
    }
}

/// `<method>_stream`: every item of a paged list operation.
fn page_stream(op: &Operation, p: &Pagination) -> TokenStream {
    let method = format_ident!("{}_stream", op.method_name);
    let request = ident(&op.request);
    let item = type_tokens(&p.item_type);
    let items = ident(&p.items.0);
    let response = ident(&op.response);
    let take_items = if p.items.1 {
        quote!(|response: #response| response.body.#items.unwrap_or_default())
    } else {
        quote!(|response: #response| response.body.#items)
    };
    let count = if p.items.1 {
        quote!(response.body.#items.as_ref().map_or(0, Vec::len))
    } else {
        quote!(response.body.#items.len())
    };
    let next = match &p.style {
        PageStyle::Offset {
            offset,
            limit,
            ty,
            total,
        } => {
            let offset = ident(offset);
            let limit = ident(limit);
            let total = match total {
                None => quote!(None),
                Some((field, true, _)) => {
                    let field = ident(field);
                    quote!(response.body.#field.map(i64::from))
                }
                Some((field, false, _)) => {
                    let field = ident(field);
                    quote!(Some(i64::from(response.body.#field)))
                }
            };
            let ty = type_tokens(ty);
            quote! {
                |request: &#request, response: &#response| {
                    let offset = request.#offset.map_or(0, i64::from);
                    let next = hwcloud_runtime::pagination::next_offset(offset, #count, request.#limit.map(i64::from), #total)?;
                    let mut following = request.clone();
                    following.#offset = Some(#ty::try_from(next).ok()?);
                    Some(following)
                }
            }
        }
        PageStyle::Marker { marker, next } => {
            let marker = ident(marker);
            let mut path = quote!(Some(&response.body));
            for (field, optional) in next {
                let f = ident(field);
                path = if *optional {
                    quote!(#path.and_then(|v| v.#f.as_ref()))
                } else {
                    quote!(#path.map(|v| &v.#f))
                };
            }
            quote! {
                |request: &#request, response: &#response| {
                    let marker = hwcloud_runtime::pagination::next_marker(#path)?;
                    // A server repeating the marker would page forever.
                    if request.#marker.as_ref() == Some(&marker) {
                        return None;
                    }
                    let mut following = request.clone();
                    following.#marker = Some(marker);
                    Some(following)
                }
            }
        }
    };
    let doc = doc_attrs(&format!(
        "Every item of [`{}`](Self::{}), fetching page after page as the stream is polled; it ends after the last page or with the first error.",
        op.method_name, op.method_name
    ));
    quote! {
        #(#[doc = #doc])*
        pub fn #method(&self, request: #request) -> impl hwcloud_runtime::pagination::Stream<Item = Result<#item, Error>> + Send + 'static {
            hwcloud_runtime::pagination::items(self.inner.clone(), request, #next, #take_items)
        }
    }
}

fn operation_doc(op: &Operation) -> String {
    let mut doc = format!("{}\n\n`{} {}`", op.doc, op.method.as_str(), op.path);
    if op.anonymous {
        doc.push_str(" (sent without credentials)");
    }
    if !op.error_statuses.is_empty() {
        doc.push_str("\n\nDocumented error statuses (returned as `Error::Service`):");
        for e in &op.error_statuses {
            doc.push_str(&format!(
                "\n- {}: {}",
                e.status,
                e.doc.lines().next().unwrap_or_default()
            ));
        }
    }
    doc
}

fn operation(service: &Service, op: &Operation) -> TokenStream {
    let request = request(service, op);
    let response = response(service, op);
    let token = op.token_source.as_ref().map(|_| token_source(service, op));
    quote! { #request #response #token }
}

/// The Rust type of a parameter as stored in the request.
fn param_type(p: &Param) -> TokenStream {
    let ty = type_tokens(&p.ty);
    if p.required && p.implicit.is_none() {
        ty
    } else {
        quote!(Option<#ty>)
    }
}

fn request(service: &Service, op: &Operation) -> TokenStream {
    let name = ident(&op.request);
    let doc = format!("Request of [`{}::{}`].", service.client, op.method_name);
    let doc = doc_attrs(&doc);
    let fields = op.params.iter().map(|p| {
        let f = ident(&p.rust);
        let ty = param_type(p);
        let docs = doc_attrs(&param_doc(p));
        quote! { #(#[doc = #docs])* pub #f: #ty, }
    });
    let body_field = op.body.as_ref().map(|b| {
        let ty = type_tokens(&b.ty);
        let ty = if b.required { ty } else { quote!(Option<#ty>) };
        let docs = doc_attrs(b.doc.as_deref().unwrap_or("The request body."));
        quote! { #(#[doc = #docs])* pub body: #ty, }
    });

    // Constructor: required inputs in spec order, then the body.
    let mut args = Vec::new();
    let mut inits = Vec::new();
    let mut setters = Vec::new();
    for p in &op.params {
        let f = ident(&p.rust);
        let ty = type_tokens(&p.ty);
        if p.required && p.implicit.is_none() {
            args.push(quote!(#f: impl Into<#ty>));
            inits.push(quote!(#f: #f.into()));
        } else {
            inits.push(quote!(#f: None));
            let docs = doc_attrs(&setter_doc(&p.rust, p.implicit));
            let setter = setter_name(&p.rust);
            setters.push(quote! {
                #(#[doc = #docs])*
                pub fn #setter(mut self, value: impl Into<#ty>) -> Self {
                    self.#f = Some(value.into());
                    self
                }
            });
        }
    }
    if let Some(b) = &op.body {
        let ty = type_tokens(&b.ty);
        if b.required {
            args.push(quote!(body: #ty));
            inits.push(quote!(body));
        } else {
            inits.push(quote!(body: None));
            setters.push(quote! {
                /// Sets the request body.
                pub fn body(mut self, value: #ty) -> Self {
                    self.body = Some(value);
                    self
                }
            });
        }
    }
    let encode = encode(op);
    let allow_new = args
        .is_empty()
        .then(|| quote!(#[allow(clippy::new_without_default)]));
    // An operation without inputs does not read the request parts.
    let parts = if op.params.is_empty() && op.body.is_none() {
        quote!(_request)
    } else {
        quote!(request)
    };
    let meta = operation_meta(service, op);
    let response = ident(&op.response);
    let decode = decode(op);
    quote! {
        #(#[doc = #doc])*
        #[derive(Clone, Debug)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
            #body_field
        }

        impl #name {
            /// A request with the required inputs; set optional ones with the methods below.
            #allow_new
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits),* }
            }
            #(#setters)*
        }

        impl Operation for #name {
            type Output = #response;
            const META: OperationMeta = #meta;

            fn encode(&self, #parts: &mut RequestParts<'_>) -> Result<(), Error> {
                #encode
            }

            fn decode(response: &ResponseParts) -> Result<Self::Output, Error> {
                #decode
            }
        }
    }
}

/// The setter of a field: its own name, but `with_new` for a field named `new` (the
/// constructor's name).
pub(super) fn setter_name(field: &str) -> proc_macro2::Ident {
    if field == "new" {
        format_ident!("with_new")
    } else {
        ident(field)
    }
}

fn param_doc(p: &Param) -> String {
    let place = match p.location {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
    };
    format!("{}\n\nSent as {place} parameter `{}`.", p.doc, p.wire)
}

fn setter_doc(field: &str, implicit: Option<Implicit>) -> String {
    match implicit {
        Some(Implicit::ProjectId) => {
            format!("Sets `{field}`; when not set, the client's project id is used.")
        }
        Some(Implicit::DomainId) => {
            format!("Sets `{field}`; when not set, the client's domain id is used.")
        }
        None => format!("Sets `{field}`."),
    }
}

fn operation_meta(service: &Service, op: &Operation) -> TokenStream {
    let name = format!("{}.{}", service.name, op.name);
    let method = format_ident!("{}", op.method.as_str());
    let path = &op.path;
    let success = &op.success;
    let anonymous = op.anonymous;
    quote! {
        OperationMeta {
            name: #name,
            method: hwcloud_runtime::http::Method::#method,
            path: #path,
            success: &[#(#success),*],
            anonymous: #anonymous,
        }
    }
}

fn encode(op: &Operation) -> TokenStream {
    let params = op.params.iter().map(|p| {
        let f = ident(&p.rust);
        let wire = &p.wire;
        match (p.location, p.implicit) {
            (ParamLocation::Path, Some(implicit)) => {
                let implicit = match implicit {
                    Implicit::ProjectId => quote!(hwcloud_runtime::operation::Implicit::ProjectId),
                    Implicit::DomainId => quote!(hwcloud_runtime::operation::Implicit::DomainId),
                };
                quote!(request.path_or_implicit(#wire, self.#f.as_ref(), #implicit)?;)
            }
            (ParamLocation::Path, None) => quote!(request.path(#wire, &self.#f)?;),
            (ParamLocation::Query, _) if p.csv => quote!(request.query_csv(#wire, &self.#f);),
            (ParamLocation::Query, _) => quote!(request.query(#wire, &self.#f);),
            (ParamLocation::Header, _) => quote!(request.header(#wire, &self.#f)?;),
        }
    });
    let body = match &op.body {
        None => quote!(Ok(())),
        Some(Body {
            content_type,
            kind,
            required,
            ..
        }) => {
            let value = if *required {
                quote!(Some(&self.body))
            } else {
                quote!(self.body.as_ref())
            };
            match kind {
                BodyKind::Json => quote!(request.json_body(#content_type, #value)),
                BodyKind::Form => quote!(request.form_body(#content_type, #value)),
                BodyKind::Bytes => quote!(request.bytes_body(#content_type, #value)),
                // The boundary makes the content type; the spec's is `multipart/form-data`.
                BodyKind::Multipart => quote!(request.multipart_body(#value)),
            }
        }
    };
    quote! { #(#params)* #body }
}

fn decode(op: &Operation) -> TokenStream {
    let response = ident(&op.response);
    let body = op.success_body.as_ref().map(|SuccessBody { statuses, always, ty }| {
        match (ty, *always) {
            (TypeRef::Bytes, true) => quote!(body: response.bytes()?,),
            (TypeRef::Bytes, false) => quote!(body: Some(response.bytes()?).filter(|_| [#(#statuses),*].contains(&response.status())),),
            (_, true) => quote!(body: response.json()?,),
            (_, false) => quote!(body: response.json_for(&[#(#statuses),*])?,),
        }
    });
    let headers = op.response_headers.iter().map(|h| {
        let f = ident(&h.rust);
        let wire = &h.wire;
        quote!(#f: response.header(#wire)?,)
    });
    quote! {
        Ok(#response {
            status: response.status(),
            request_id: response.request_id(),
            #body
            #(#headers)*
        })
    }
}

fn response(service: &Service, op: &Operation) -> TokenStream {
    let name = ident(&op.response);
    let doc = format!("Response of [`{}::{}`].", service.client, op.method_name);
    let doc = doc_attrs(&doc);
    let body = op.success_body.as_ref().map(|b| {
        let ty = type_tokens(&b.ty);
        let (ty, doc) = if b.always {
            (ty, "The response body.".to_owned())
        } else {
            let statuses: Vec<String> = b.statuses.iter().map(u16::to_string).collect();
            (
                quote!(Option<#ty>),
                format!(
                    "The response body, present with status {}.",
                    statuses.join(", ")
                ),
            )
        };
        let doc = doc_attrs(&doc);
        quote! { #(#[doc = #doc])* pub body: #ty, }
    });
    let headers = op.response_headers.iter().map(|h| {
        let f = ident(&h.rust);
        let ty = if h.sensitive {
            quote!(hwcloud_runtime::Secret)
        } else {
            quote!(String)
        };
        let docs = doc_attrs(&format!("{}\n\nFrom response header `{}`.", h.doc, h.wire));
        quote! { #(#[doc = #docs])* pub #f: Option<#ty>, }
    });
    let statuses = op
        .success
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let status_doc = format!("The HTTP status: one of {statuses}.");
    let status_doc = doc_attrs(&status_doc);
    quote! {
        #(#[doc = #doc])*
        #[derive(Clone, Debug)]
        #[non_exhaustive]
        pub struct #name {
            #(#[doc = #status_doc])*
            pub status: u16,
            /// The `X-Request-Id` response header.
            pub request_id: Option<String>,
            #body
            #(#headers)*
        }
    }
}

/// The glue that lets the runtime's token cache call a token-issuing operation: the
/// request (holding the login inputs) is the token source.
fn token_source(service: &Service, op: &Operation) -> TokenStream {
    let Some(t) = &op.token_source else {
        return quote!();
    };
    let request = ident(&op.request);
    let client = ident(&service.client);
    let method = ident(&op.method_name);
    let token = value_path(op, &t.token);
    // A relative lifetime counts from when the request was sent.
    let (now, expires) = match (&t.expires_at, &t.expires_in) {
        (Some(at), _) => {
            let at = value_path(op, at);
            (
                quote!(),
                quote!(#at.and_then(|t| t.to_offset_date_time().ok()).map(std::time::SystemTime::from)),
            )
        }
        (None, Some(within)) => {
            let within = value_path(op, within);
            (
                quote!(let now = client.now();),
                quote!(#within.and_then(|s| u64::try_from(*s).ok()).map(|s| now + std::time::Duration::from_secs(s))),
            )
        }
        (None, None) => (quote!(), quote!(None)),
    };
    let refresh_fn = t.refresh.as_ref().map(refresh_fn);
    let refresh = match &t.refresh_token {
        Some(r) => {
            let r = value_path(op, r);
            quote!(#r.map(secret))
        }
        None => quote!(None),
    };
    quote! {
        impl #request {
            /// Sends this request and reads the token, its expiry and its refresh token
            /// from the response, as the runtime's token cache needs them.
            pub async fn issue_token(&self, client: &Client) -> Result<hwcloud_runtime::auth::token::IssuedToken, Error> {
                fn secret(value: &impl hwcloud_runtime::operation::ParamValue) -> hwcloud_runtime::Secret {
                    hwcloud_runtime::Secret::new(value.param_text().into_owned())
                }
                #now
                let response = #client::new(client)?.#method(self.clone()).await?;
                let token = #token.map(secret).ok_or_else(|| Error::Credentials {
                    message: format!("{} answered without a token", <Self as Operation>::META.name),
                    source: None,
                })?;
                Ok(hwcloud_runtime::auth::token::IssuedToken {
                    token,
                    expires_at: #expires,
                    refresh_token: #refresh,
                })
            }
        }

        impl hwcloud_runtime::auth::token::TokenSource for #request {
            fn fetch<'a>(&'a self, client: &'a Client) -> hwcloud_runtime::BoxFuture<'a, Result<hwcloud_runtime::auth::token::IssuedToken, Error>> {
                Box::pin(self.issue_token(client))
            }
            #refresh_fn
        }
    }
}

/// `TokenSource::refresh`: builds the renewing request from this request's body and the
/// refresh token, and issues the token with it.
fn refresh_fn(refresh: &Refresh) -> TokenStream {
    let request = ident(&refresh.request);
    let body = ident(&refresh.body);
    let fields = refresh.fields.iter().map(|(name, value)| {
        let f = ident(name);
        let value = match value {
            RefreshValue::RefreshToken { optional: false } => quote!(refresh_token.clone()),
            RefreshValue::RefreshToken { optional: true } => quote!(Some(refresh_token.clone())),
            RefreshValue::Copied(source) => {
                let source = ident(source);
                quote!(self.body.#source.clone())
            }
            RefreshValue::Absent => quote!(None),
        };
        quote!(#f: #value)
    });
    quote! {
        fn refresh<'a>(
            &'a self,
            client: &'a Client,
            refresh_token: &'a hwcloud_runtime::Secret,
        ) -> Option<hwcloud_runtime::BoxFuture<'a, Result<hwcloud_runtime::auth::token::IssuedToken, Error>>> {
            let request = #request::new(#body { #(#fields),* });
            Some(Box::pin(async move { request.issue_token(client).await }))
        }
    }
}

/// `IdResolver` of a service with id-discovering operations (IAM): lets AK/SK
/// credentials find a missing project or domain id.
fn id_resolver(service: &Service) -> Option<TokenStream> {
    let sources: Vec<(&Operation, &IdSource)> = service
        .operations
        .iter()
        .filter_map(|op| op.id_source.as_ref().map(|s| (op, s)))
        .collect();
    if sources.is_empty() {
        return None;
    }
    let client = ident(&service.client);
    let body = |implicit: Implicit| {
        let Some((op, source)) = sources.iter().find(|(_, s)| s.id == implicit) else {
            let message = format!("{} cannot discover this id", service.name);
            // `region` is a parameter of `project_id` only.
            let unused = (implicit == Implicit::ProjectId).then(|| quote!(let _ = region;));
            return quote!(#unused Err(Error::Credentials { message: #message.to_owned(), source: None }));
        };
        let method = ident(&op.method_name);
        let request = ident(&op.request);
        let filter = source.filter.as_ref().map(|f| {
            let f = ident(f);
            quote!(.#f(region))
        });
        let items = ident(&source.items.0);
        let items = if source.items.1 {
            quote!(response.body.#items.iter().flatten())
        } else {
            quote!(response.body.#items.iter())
        };
        let id = ident(&source.item_id.0);
        let id = if source.item_id.1 {
            quote!(item.#id.clone())
        } else {
            quote!(Some(item.#id.clone()))
        };
        let pick = match implicit {
            Implicit::ProjectId => {
                quote!(hwcloud_runtime::auth::aksk::single_project_id(region, ids))
            }
            Implicit::DomainId => quote!(hwcloud_runtime::auth::aksk::single_domain_id(ids)),
        };
        quote! {
            let response = #client::new(client)?.#method(#request::new() #filter).await?;
            let ids: Vec<String> = #items.filter_map(|item| #id).collect();
            #pick
        }
    };
    let project = body(Implicit::ProjectId);
    let domain = body(Implicit::DomainId);
    let doc = format!(
        "Finds the project id (by region) or domain id of AK/SK credentials that lack one, with {}'s operations.\n\nGive it to `BasicCredentials::resolver` or `GlobalCredentials::resolver`.",
        service.name
    );
    let doc = doc_attrs(&doc);
    Some(quote! {
        #(#[doc = #doc])*
        #[derive(Clone, Copy, Debug, Default)]
        pub struct IdResolver;

        impl hwcloud_runtime::auth::aksk::IdResolver for IdResolver {
            fn project_id<'a>(&'a self, client: &'a Client, region: &'a str) -> hwcloud_runtime::BoxFuture<'a, Result<String, Error>> {
                Box::pin(async move { #project })
            }

            fn domain_id<'a>(&'a self, client: &'a Client) -> hwcloud_runtime::BoxFuture<'a, Result<String, Error>> {
                Box::pin(async move { #domain })
            }
        }
    })
}

/// An expression of type `Option<&T>` reading `path` from `response`.
fn value_path(op: &Operation, path: &ValuePath) -> TokenStream {
    match path {
        ValuePath::Header(wire) => {
            let field = op
                .response_headers
                .iter()
                .find(|h| h.wire.eq_ignore_ascii_case(wire))
                .map(|h| ident(&h.rust));
            quote!(response.#field.as_ref())
        }
        ValuePath::Body(chain) => {
            let always = op.success_body.as_ref().is_some_and(|b| b.always);
            let mut expr = if always {
                quote!(Some(&response.body))
            } else {
                quote!(response.body.as_ref())
            };
            for (field, optional) in chain {
                let f = ident(field);
                expr = if *optional {
                    quote!(#expr.and_then(|v| v.#f.as_ref()))
                } else {
                    quote!(#expr.map(|v| &v.#f))
                };
            }
            expr
        }
    }
}

fn type_def(ty: &TypeDef) -> TokenStream {
    match &ty.kind {
        TypeKind::Struct(fields) => struct_def(ty, fields),
        TypeKind::Enum(variants) => enum_def(ty, variants),
        TypeKind::Array(element) => {
            let name = ident(&ty.name);
            let element = type_tokens(element);
            let docs = doc_attrs(&ty.doc);
            quote! { #(#[doc = #docs])* pub type #name = Vec<#element>; }
        }
        TypeKind::Map(value) => {
            let name = ident(&ty.name);
            let value = type_tokens(value);
            let docs = doc_attrs(&ty.doc);
            quote! { #(#[doc = #docs])* pub type #name = std::collections::BTreeMap<String, #value>; }
        }
    }
}

fn field_type(f: &Field) -> TokenStream {
    let ty = type_tokens(&f.ty);
    let ty = if f.boxed { quote!(Box<#ty>) } else { ty };
    if f.required { ty } else { quote!(Option<#ty>) }
}

fn struct_def(ty: &TypeDef, fields: &[Field]) -> TokenStream {
    let name = ident(&ty.name);
    let docs = doc_attrs(&ty.doc);
    let all_optional = fields.iter().all(|f| !f.required);
    let default = all_optional.then(|| quote!(Default,));
    let mut args = Vec::new();
    let mut inits = Vec::new();
    let mut setters = Vec::new();
    for f in fields {
        let id = ident(&f.rust);
        let ty = type_tokens(&f.ty);
        let wrap = |v: TokenStream| if f.boxed { quote!(Box::new(#v)) } else { v };
        if f.required {
            args.push(quote!(#id: impl Into<#ty>));
            let value = wrap(quote!(#id.into()));
            inits.push(quote!(#id: #value));
        } else {
            inits.push(quote!(#id: None));
            let setter = setter_name(&f.rust);
            let value = wrap(quote!(value.into()));
            let doc = format!("Sets `{}`.", f.rust);
            let doc = doc_attrs(&doc);
            setters.push(quote! {
                #(#[doc = #doc])*
                pub fn #setter(mut self, value: impl Into<#ty>) -> Self {
                    self.#id = Some(#value);
                    self
                }
            });
        }
    }
    let new_doc = if args.is_empty() {
        "An empty value; set fields with the methods below."
    } else {
        "A value with the required fields; set optional ones with the methods below."
    };
    let new_doc = doc_attrs(new_doc);

    // A multipart form holds files, which have no JSON form: it is written part by part.
    // Every other struct is a JSON object; see `model_impl` for why it is not derived.
    let (wire_impl, part_docs) = if ty.multipart {
        (multipart_impl(&name, fields), true)
    } else {
        (model_impl(ty, fields), false)
    };
    let members = fields.iter().map(|f| {
        let id = ident(&f.rust);
        let ty = field_type(f);
        let docs = if part_docs {
            doc_attrs(&format!("{}\n\nSent as form part `{}`.", f.doc, f.wire))
        } else {
            doc_attrs(&f.doc)
        };
        quote! { #(#[doc = #docs])* pub #id: #ty, }
    });
    quote! {
        #(#[doc = #docs])*
        #[derive(Clone, Debug, PartialEq, #default)]
        #[non_exhaustive]
        pub struct #name {
            #(#members)*
        }

        #wire_impl

        impl #name {
            #(#[doc = #new_doc])*
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits),* }
            }
            #(#setters)*
        }
    }
}

/// The JSON form of a struct: its fields listed once for `hwcloud_runtime::model`, which
/// provides `Serialize` and `Deserialize` through `impl_model_serde!`. Derived serde impls
/// were most of the generated crate's compile time (see the runtime's `model` module).
fn model_impl(ty: &TypeDef, fields: &[Field]) -> TokenStream {
    let name = ident(&ty.name);
    let type_name = &ty.name;
    let writes = fields.iter().map(|f| {
        let id = ident(&f.rust);
        let wire = &f.wire;
        if f.required {
            quote!(object.field(#wire, &self.#id);)
        } else {
            quote!(object.optional(#wire, &self.#id);)
        }
    });
    let reads = fields.iter().map(|f| {
        let id = ident(&f.rust);
        let wire = &f.wire;
        if f.required {
            quote!(#id: object.required(#wire)?,)
        } else {
            quote!(#id: object.optional(#wire)?,)
        }
    });
    quote! {
        impl Model for #name {
            const NAME: &'static str = #type_name;

            fn write(&self, object: &mut ObjectWriter) {
                #(#writes)*
            }

            fn read(object: &mut ObjectReader) -> Result<Self, FieldError> {
                Ok(Self { #(#reads)* })
            }
        }

        hwcloud_runtime::impl_model_serde!(#name);
    }
}

/// A multipart form, written part by part.
fn multipart_impl(name: &proc_macro2::Ident, fields: &[Field]) -> TokenStream {
    let parts = fields.iter().map(|f| {
        let id = ident(&f.rust);
        let wire = &f.wire;
        match (&f.ty, f.required) {
            (TypeRef::File, true) => quote!(form.file(#wire, Some(&self.#id));),
            (TypeRef::File, false) => quote!(form.file(#wire, self.#id.as_ref());),
            _ => quote!(form.text(#wire, &self.#id);),
        }
    });
    quote! {
        impl hwcloud_runtime::operation::MultipartBody for #name {
            fn write_parts(&self, form: &mut hwcloud_runtime::operation::MultipartWriter) {
                #(#parts)*
            }
        }
    }
}

fn enum_def(ty: &TypeDef, variants: &[Variant]) -> TokenStream {
    let name = ident(&ty.name);
    let docs = doc_attrs(&ty.doc);
    let idents: Vec<_> = variants.iter().map(|v| ident(&v.rust)).collect();
    let wires: Vec<&str> = variants.iter().map(|v| v.wire.as_str()).collect();
    let variant_docs = wires.iter().map(|w| format!(" `{w}`"));
    quote! {
        #(#[doc = #docs])*
        ///
        /// Values this SDK does not know are kept in `Unknown`, so a service adding a value
        /// does not break decoding.
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#[doc = #variant_docs] #idents,)*
            /// A value the spec does not list, kept as sent.
            Unknown(String),
        }

        impl hwcloud_runtime::StringEnum for #name {
            const VALUES: &'static [&'static str] = &[#(#wires),*];

            fn as_str(&self) -> &str {
                match self {
                    #(Self::#idents => #wires,)*
                    Self::Unknown(value) => value,
                }
            }

            fn from_wire(value: &str) -> Self {
                match value {
                    #(#wires => Self::#idents,)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        hwcloud_runtime::impl_string_enum!(#name);
    }
}

fn error_codes(service: &Service) -> TokenStream {
    let doc = format!(
        "The error codes documented for the {} service, with their descriptions and recommended handling.\n\nGet one from an error with `ServiceError::known::<ErrorCode>()`.",
        service.name
    );
    let doc = doc_attrs(&doc);
    let variants = service.errors.iter().map(|e: &ErrorCode| {
        let id = ident(&e.variant);
        let mut text = format!("`{}` (HTTP {}): {}", e.code, e.status, e.description);
        if let Some(m) = &e.meaning {
            text.push_str(&format!("\n\n{m}"));
        }
        if let Some(h) = &e.handling {
            text.push_str(&format!("\n\nRecommended handling: {h}"));
        }
        let docs = doc_attrs(&text);
        quote! { #(#[doc = #docs])* #id, }
    });
    let ids: Vec<_> = service.errors.iter().map(|e| ident(&e.variant)).collect();
    let codes: Vec<&str> = service.errors.iter().map(|e| e.code.as_str()).collect();
    let statuses: Vec<u16> = service.errors.iter().map(|e| e.status).collect();
    let descriptions: Vec<String> = service
        .errors
        .iter()
        .map(|e| match &e.meaning {
            Some(m) => format!("{} ({m})", e.description),
            None => e.description.clone(),
        })
        .collect();
    let handling = service.errors.iter().map(|e| match &e.handling {
        Some(h) => quote!(Some(#h)),
        None => quote!(None),
    });
    quote! {
        #(#[doc = #doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            #(#variants)*
        }

        impl hwcloud_runtime::KnownErrorCode for ErrorCode {
            fn from_code(code: &str) -> Option<Self> {
                match code {
                    #(#codes => Some(Self::#ids),)*
                    _ => None,
                }
            }

            fn code(&self) -> &'static str {
                match self { #(Self::#ids => #codes,)* }
            }

            fn status(&self) -> u16 {
                match self { #(Self::#ids => #statuses,)* }
            }

            fn description(&self) -> &'static str {
                match self { #(Self::#ids => #descriptions,)* }
            }

            fn handling(&self) -> Option<&'static str> {
                match self { #(Self::#ids => #handling,)* }
            }
        }
    }
}
