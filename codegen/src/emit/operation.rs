//! One operation's items: its request (fields, constructor, setters, `Operation` impl)
//! and its response.
//!
//! Per-operation code is kept small on purpose (compile time is what users pay): requests
//! and responses derive only `Clone` and `Debug`, the operation is static data plus an
//! `encode`/`decode` pair of one call per parameter, and all behaviour is in the runtime.

use proc_macro2::TokenStream;
use quote::quote;

use super::glue;
use super::tokens::{Scope, docs, ident, lit, rust_type, status};
use super::types::setter;
use crate::ir::{Body, BodyKind, Location, Operation, Param, Service, SuccessBody, TypeRef};

/// The request, its `Operation` impl, the response and any token glue of `op`.
pub(super) fn items(service: &Service, op: &Operation) -> TokenStream {
    let mut out = request(service, op);
    out.extend(operation_impl(service, op));
    out.extend(response(service, op));
    if op.token_source.is_some() {
        out.extend(glue::token_source(op));
    }
    out
}

fn rust(ty: &TypeRef) -> TokenStream {
    rust_type(ty, Scope::Service)
}

fn request(service: &Service, op: &Operation) -> TokenStream {
    let name = ident(&op.request);
    // The example is on the method only: the same code twice per operation was 4% of
    // the generated modules' lines, to parse and print and for a reader to scroll past.
    let doc = docs(&format!(
        "Request of [`{}::{}`], whose docs show an example.",
        service.client, op.method_name
    ));
    let fields = op.params.iter().map(|p| {
        let doc = docs(&format!(
            "{}\n\nSent as {} parameter `{}`.",
            p.doc, p.location, p.wire
        ));
        let field = ident(&p.rust);
        let ty = rust(&p.ty);
        let ty = if p.in_constructor() {
            ty
        } else {
            quote!(Option<#ty>)
        };
        quote!(#doc pub #field: #ty,)
    });
    let body = op.body.as_ref().map(|b| {
        let doc = docs(b.doc.as_deref().unwrap_or("The request body."));
        let ty = rust(&b.ty);
        let ty = if b.required { ty } else { quote!(Option<#ty>) };
        quote!(#doc pub body: #ty,)
    });

    // Constructor: required inputs in spec order, then the body.
    let mut args = Vec::new();
    let mut inits = Vec::new();
    for p in &op.params {
        let field = ident(&p.rust);
        if p.in_constructor() {
            let ty = rust(&p.ty);
            args.push(quote!(#field: impl Into<#ty>));
            inits.push(quote!(#field: #field.into()));
        } else {
            inits.push(quote!(#field: None));
        }
    }
    if let Some(b) = &op.body {
        if b.required {
            let ty = rust(&b.ty);
            args.push(quote!(body: #ty));
            inits.push(quote!(body));
        } else {
            inits.push(quote!(body: None));
        }
    }
    let allow = args
        .is_empty()
        .then(|| quote!(#[allow(clippy::new_without_default)]));
    let optional = op.params.iter().any(|p| !p.in_constructor())
        || op.body.as_ref().is_some_and(|b| !b.required);
    let new_doc = docs(match (args.is_empty(), optional) {
        (false, true) => {
            "A request with the required inputs; set optional ones with the methods below."
        }
        (true, true) => {
            "A request with no required inputs; set optional ones with the methods below."
        }
        (false, false) => "A request with its inputs.",
        (true, false) => "A request: the operation takes no inputs.",
    });
    // A setter's doc is its parameter's.
    let setters = op.params.iter().filter(|p| !p.in_constructor()).map(|p| {
        let doc = docs(&setter_doc(p));
        let setter = setter(&p.rust, &rust(&p.ty), false);
        quote!(#doc #setter)
    });
    let body_setter = op.body.as_ref().filter(|b| !b.required).map(|b| {
        let doc = docs(b.doc.as_deref().unwrap_or("The request body."));
        let ty = rust(&b.ty);
        quote! {
            #doc
            pub fn body(mut self, value: #ty) -> Self {
                self.body = Some(value);
                self
            }
        }
    });
    quote! {
        #doc
        #[derive(Clone, Debug)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
            #body
        }

        impl #name {
            #new_doc
            #allow
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits),* }
            }
            #(#setters)*
            #body_setter
        }
    }
}

fn setter_doc(p: &Param) -> String {
    match p.implicit {
        Some(id) => format!(
            "{}\n\nWhen not set, the client's {} is used.",
            p.doc,
            id.describe()
        ),
        None => p.doc.clone(),
    }
}

fn operation_impl(service: &Service, op: &Operation) -> TokenStream {
    let request = ident(&op.request);
    let response = ident(&op.response);
    let name = lit(&format!("{}.{}", service.name, op.name));
    let method = ident(op.method.as_str());
    let path = lit(&op.path);
    let success = op.success.iter().map(|s| status(*s));
    let auth = auth_schemes(service, op);
    let sensitive_body = op.sensitive_body;
    let idempotent = op.idempotent;
    // A file download: `ClientBuilder::max_download_size` bounds it instead.
    let download = op
        .success_body
        .as_ref()
        .is_some_and(|b| b.ty == TypeRef::Bytes);
    // An operation without inputs does not read the request parts.
    let parts = if op.params.is_empty() && op.body.is_none() {
        quote!(_request)
    } else {
        quote!(request)
    };
    let encode = encode(op);
    let decode = decode(op);
    quote! {
        impl Operation for #request {
            type Output = #response;
            const META: OperationMeta = OperationMeta {
                name: #name,
                method: hwcloud_runtime::http::Method::#method,
                path: #path,
                success: &[#(#success),*],
                auth: #auth,
                sensitive_body: #sensitive_body,
                download: #download,
                idempotent: #idempotent,
            };

            fn encode(&self, #parts: &mut RequestParts<'_>) -> Result<(), Error> {
                #encode
            }

            fn decode(response: &ResponseParts) -> Result<Self::Output, Error> {
                #decode
            }
        }
    }
}

/// One `RequestParts` call per parameter, then the body's.
fn encode(op: &Operation) -> TokenStream {
    let mut out = TokenStream::new();
    for p in &op.params {
        out.extend(encode_param(p));
    }
    out.extend(match &op.body {
        None => quote!(Ok(())),
        Some(body) => encode_body(body),
    });
    out
}

/// The schemes the operation accepts: the service's `AUTH` when they are the service's.
fn auth_schemes(service: &Service, op: &Operation) -> TokenStream {
    if !op.auth.is_empty() && op.auth == service.auth {
        return quote!(AUTH);
    }
    let schemes = op.auth.iter().map(|a| ident(a.variant()));
    quote!(&[#(AuthScheme::#schemes),*])
}

/// A header name as the runtime wants it: lowercase, made once at compile time.
pub(super) fn header_name(wire: &str) -> TokenStream {
    let name = lit(&wire.to_ascii_lowercase());
    quote!(const { HeaderName::from_static(#name) })
}

fn encode_param(p: &Param) -> TokenStream {
    let field = ident(&p.rust);
    let wire = lit(&p.wire);
    match (p.location, p.implicit) {
        (Location::Path, Some(implicit)) => {
            let variant = ident(implicit.variant());
            quote!(request.path_or_implicit(#wire, self.#field.as_ref(), Implicit::#variant)?;)
        }
        (Location::Path, None) => quote!(request.path(#wire, &self.#field)?;),
        (Location::Query, _) if p.csv => quote!(request.query_csv(#wire, &self.#field);),
        (Location::Query, _) => quote!(request.query(#wire, &self.#field);),
        (Location::Header, _) => {
            let name = header_name(&p.wire);
            quote!(request.header(#name, &self.#field)?;)
        }
    }
}

fn encode_body(body: &Body) -> TokenStream {
    let value = if body.required {
        quote!(Some(&self.body))
    } else {
        quote!(self.body.as_ref())
    };
    let content_type = lit(&body.content_type);
    match body.kind {
        BodyKind::Json => quote!(request.json_body(#content_type, #value)),
        BodyKind::Form => quote!(request.form_body(#content_type, #value)),
        BodyKind::Bytes => quote!(request.bytes_body(#content_type, #value)),
        // The boundary makes the content type; the spec's is `multipart/form-data`.
        BodyKind::Multipart => quote!(request.multipart_body(#value)),
    }
}

/// The response from its parts: one call per field.
fn decode(op: &Operation) -> TokenStream {
    let response = ident(&op.response);
    let body = op.success_body.as_ref().map(
        |SuccessBody {
             statuses,
             always,
             ty,
         }| {
            let statuses = statuses.iter().map(|s| status(*s));
            match (ty, *always) {
                (TypeRef::Bytes, true) => quote!(body: response.bytes()?,),
                (TypeRef::Bytes, false) => quote!(body: response.bytes_for(&[#(#statuses),*])?,),
                (_, true) => quote!(body: response.json()?,),
                (_, false) => quote!(body: response.json_for(&[#(#statuses),*])?,),
            }
        },
    );
    let headers = op.response_headers.iter().map(|h| {
        let field = ident(&h.rust);
        let name = header_name(&h.wire);
        quote!(#field: response.header(#name)?,)
    });
    // Warnings last: the fields above fill them (struct fields are evaluated in order).
    quote! {
        Ok(#response {
            status: response.status(),
            request_id: response.request_id(),
            #body
            #(#headers)*
            decode_warnings: response.take_decode_warnings(),
        })
    }
}

fn response(service: &Service, op: &Operation) -> TokenStream {
    let name = ident(&op.response);
    let doc = docs(&format!(
        "Response of [`{}::{}`].",
        service.client, op.method_name
    ));
    let statuses: Vec<String> = op.success.iter().map(u16::to_string).collect();
    let status_doc = docs(&format!("The HTTP status: one of {}.", statuses.join(", ")));
    let body = op.success_body.as_ref().map(|b| {
        let ty = rust(&b.ty);
        if b.always {
            quote! {
                /// The response body.
                pub body: #ty,
            }
        } else {
            let statuses: Vec<String> = b.statuses.iter().map(u16::to_string).collect();
            let doc = docs(&format!(
                "The response body, present with status {}.",
                statuses.join(", ")
            ));
            quote!(#doc pub body: Option<#ty>,)
        }
    });
    let headers = op.response_headers.iter().map(|h| {
        let doc = docs(&format!("{}\n\nFrom response header `{}`.", h.doc, h.wire));
        let field = ident(&h.rust);
        let ty = if h.sensitive {
            quote!(hwcloud_runtime::Secret)
        } else {
            quote!(String)
        };
        quote!(#doc pub #field: Option<#ty>,)
    });
    quote! {
        #doc
        #[derive(Clone, Debug)]
        #[non_exhaustive]
        pub struct #name {
            #status_doc
            pub status: hwcloud_runtime::http::StatusCode,
            /// The `X-Request-Id` response header.
            pub request_id: Option<String>,
            #body
            #(#headers)*
            /// Optional body fields whose value did not fit their type and were left out
            /// (the first 100; each also logged at `warn`); empty when the body matched.
            pub decode_warnings: Vec<hwcloud_runtime::model::DecodeWarning>,
        }
    }
}
