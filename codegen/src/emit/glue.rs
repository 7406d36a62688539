//! Glue between operations and the runtime: token sources (a token-issuing request is the
//! source of its credentials), id discovery (`IdResolver`) and paging (`<method>_stream`).

use proc_macro2::TokenStream;
use quote::quote;

use super::tokens::{Scope, docs, ident, lit, named, rust_type};
use crate::ir::{
    FieldRef, IdSource, Implicit, Operation, PageStyle, Pagination, Refresh, RefreshValue, Service,
    TotalField, ValuePath,
};
use crate::names;

/// The glue that lets the runtime's token cache call a token-issuing operation: the
/// request (holding the login inputs) is the token source. Sending it and reading the
/// response (a missing token, a lifetime counted from the request, checked expiry
/// arithmetic) is the runtime's `token::issue`; the glue says where the values are.
pub(super) fn token_source(op: &Operation) -> TokenStream {
    let Some(t) = &op.token_source else {
        return TokenStream::new();
    };
    let request = ident(&op.request);
    let response = ident(&op.response);
    let token = value_path(op, &t.token);
    let expiry = match (&t.expires_at, &t.expires_in) {
        (Some(at), _) => {
            let at = value_path(op, at);
            quote! {
                hwcloud_runtime::auth::token::Expiry::At(|response| {
                    hwcloud_runtime::auth::expiry::from_instant(#at)
                })
            }
        }
        (None, Some(within)) => {
            let within = value_path(op, within);
            quote! {
                hwcloud_runtime::auth::token::Expiry::Within(|response| {
                    hwcloud_runtime::auth::expiry::seconds(#within)
                })
            }
        }
        (None, None) => quote!(hwcloud_runtime::auth::token::Expiry::Unknown),
    };
    let refresh_token = match &t.refresh_token {
        Some(r) => {
            let r = value_path(op, r);
            quote!(|response| hwcloud_runtime::auth::token::secret(#r))
        }
        None => quote!(|_| None),
    };
    let refresh = t.refresh.as_ref().map(refresh_fn);
    quote! {
        impl #request {
            /// Sends this request with `client` (a [`Client`] or the client a token
            /// source is given) and reads the token, its expiry and its refresh token
            /// from the response, as the runtime's token cache needs them.
            pub async fn issue_token(
                &self,
                client: &dyn hwcloud_runtime::auth::Caller,
            ) -> Result<hwcloud_runtime::auth::token::IssuedToken, Error> {
                let fields = hwcloud_runtime::auth::token::TokenFields::<#response> {
                    token: |response| hwcloud_runtime::auth::token::secret(#token),
                    expiry: #expiry,
                    refresh_token: #refresh_token,
                };
                hwcloud_runtime::auth::token::issue(client, &SERVICE, self, &fields).await
            }
        }

        impl hwcloud_runtime::auth::token::TokenSource for #request {
            fn fetch<'a>(
                &'a self,
                client: &'a dyn hwcloud_runtime::auth::Caller,
            ) -> hwcloud_runtime::BoxFuture<'a, Result<hwcloud_runtime::auth::token::IssuedToken, Error>> {
                Box::pin(self.issue_token(client))
            }

            #refresh
        }
    }
}

/// `TokenSource::refresh`: builds the renewing request from this request's body and the
/// refresh token, and issues the token with it.
fn refresh_fn(refresh: &Refresh) -> TokenStream {
    let request = ident(&refresh.request);
    let body = named(&refresh.body, Scope::Service);
    let fields = refresh.fields.iter().map(|f| {
        let name = ident(&f.rust);
        match &f.value {
            RefreshValue::RefreshToken { optional: false } => {
                quote!(#name: refresh_token.clone())
            }
            RefreshValue::RefreshToken { optional: true } => {
                quote!(#name: Some(refresh_token.clone()))
            }
            RefreshValue::Copied(source) => {
                let source = ident(source);
                quote!(#name: self.body.#source.clone())
            }
            RefreshValue::Absent => quote!(#name: None),
        }
    });
    quote! {
        fn refresh<'a>(
            &'a self,
            client: &'a dyn hwcloud_runtime::auth::Caller,
            refresh_token: &'a hwcloud_runtime::Secret,
        ) -> Option<hwcloud_runtime::BoxFuture<'a, Result<hwcloud_runtime::auth::token::IssuedToken, Error>>> {
            let request = #request::new(#body { #(#fields),* });
            Some(Box::pin(async move { request.issue_token(client).await }))
        }
    }
}

/// An expression of type `Option<&T>` reading `path` from `response`.
fn value_path(op: &Operation, path: &ValuePath) -> TokenStream {
    match path {
        ValuePath::Header(wire) => {
            let field = op
                .response_headers
                .iter()
                .find(|h| h.wire.eq_ignore_ascii_case(wire))
                .map_or("", |h| h.rust.as_str());
            let field = ident(field);
            quote!(response.#field.as_ref())
        }
        ValuePath::Body(chain) => {
            let always = op.success_body.as_ref().is_some_and(|b| b.always);
            let start = if always {
                quote!(Some(&response.body))
            } else {
                quote!(response.body.as_ref())
            };
            field_chain(start, chain)
        }
    }
}

/// `start` (an `Option<&T>`) followed through `chain`, still an `Option<&_>`.
fn field_chain(start: TokenStream, chain: &[FieldRef]) -> TokenStream {
    let steps = chain.iter().map(|field| {
        let name = ident(&field.rust);
        if field.optional {
            quote!(.and_then(|v| v.#name.as_ref()))
        } else {
            quote!(.map(|v| &v.#name))
        }
    });
    quote!(#start #(#steps)*)
}

/// `IdResolver` of a service with id-discovering operations (IAM): lets AK/SK
/// credentials find a missing project or domain id.
pub(super) fn id_resolver(service: &Service) -> TokenStream {
    let sources: Vec<(&Operation, &IdSource)> = service
        .operations
        .iter()
        .filter_map(|op| op.id_source.as_ref().map(|s| (op, s)))
        .collect();
    if sources.is_empty() {
        return TokenStream::new();
    }
    let doc = docs(&format!(
        "Finds the project id (by region) or domain id of AK/SK credentials that lack one, with {}'s operations.\n\nGive it to `BasicCredentials::resolver` or `GlobalCredentials::resolver`.",
        service.name
    ));
    let project = id_body(service, &sources, Implicit::ProjectId);
    let domain = id_body(service, &sources, Implicit::DomainId);
    quote! {
        #doc
        #[derive(Clone, Copy, Debug, Default)]
        pub struct IdResolver;

        impl hwcloud_runtime::auth::aksk::IdResolver for IdResolver {
            fn project_id<'a>(
                &'a self,
                client: &'a dyn hwcloud_runtime::auth::Caller,
                region: &'a str,
            ) -> hwcloud_runtime::BoxFuture<'a, Result<String, Error>> {
                Box::pin(async move { #project })
            }

            fn domain_id<'a>(
                &'a self,
                client: &'a dyn hwcloud_runtime::auth::Caller,
            ) -> hwcloud_runtime::BoxFuture<'a, Result<String, Error>> {
                Box::pin(async move { #domain })
            }
        }
    }
}

/// How `IdResolver` finds `implicit`: one list call and its single match.
fn id_body(
    service: &Service,
    sources: &[(&Operation, &IdSource)],
    implicit: Implicit,
) -> TokenStream {
    let Some((op, source)) = sources.iter().find(|(_, s)| s.id == implicit) else {
        // Without a source the inputs go unused; `region` is a parameter of `project_id`
        // only.
        let unused = if implicit == Implicit::ProjectId {
            quote!(let _ = (client, region);)
        } else {
            quote!(let _ = client;)
        };
        let message = lit(&format!("{} cannot discover this id", service.name));
        return quote! {
            #unused
            Err(Error::Credentials { message: #message.to_owned(), source: None })
        };
    };
    let request = ident(&op.request);
    let filter = source.filter.as_ref().map(|f| {
        let f = ident(f);
        quote!(.#f(region))
    });
    let items = ident(&source.items.rust);
    let items = if source.items.optional {
        quote!(response.body.#items.iter().flatten())
    } else {
        quote!(response.body.#items.iter())
    };
    let id = ident(&source.item_id.rust);
    let id = if source.item_id.optional {
        quote!(item.#id.clone())
    } else {
        quote!(Some(item.#id.clone()))
    };
    let single = match implicit {
        Implicit::ProjectId => quote!(hwcloud_runtime::auth::aksk::single_project_id(region, ids)),
        Implicit::DomainId => quote!(hwcloud_runtime::auth::aksk::single_domain_id(ids)),
    };
    quote! {
        // What the service client's method sends, through the calling client.
        let response = client.send(&SERVICE, &#request::new() #filter).await?;
        let ids: Vec<String> = #items.filter_map(|item| #id).collect();
        #single
    }
}

/// `<method>_stream`: every item of a paged list operation. The operation's paging style
/// (the runtime's `ByOffset`, `ByPage` or `ByMarker`) gets the request and response
/// fields it needs as plain functions, and a function takes a page's items out of its
/// response; the paging itself (when a page is the last, laziness, the page bound,
/// repeated cursors) is the runtime's.
pub(super) fn page_stream(op: &Operation, p: &Pagination) -> TokenStream {
    let doc = docs(&format!(
        "Every item of [`{0}`](Self::{0}), fetching page after page as the stream is polled. It ends after the last page or with an error: a page that failed, or paging that cannot end (a repeated cursor, more than [`max_pages`](hwcloud_runtime::pagination::Items::max_pages) pages).",
        op.method_name
    ));
    let stream = ident(&names::stream_method(&op.method_name));
    let request = ident(&op.request);
    let item = rust_type(&p.item_type, Scope::Service);
    let items = ident(&p.items.rust);
    let take = if p.items.optional {
        quote!(|response| response.body.#items.take().unwrap_or_default())
    } else {
        quote!(|response| std::mem::take(&mut response.body.#items))
    };
    let style = style(&request, p);
    quote! {
        #doc
        pub fn #stream(&self, request: #request) -> hwcloud_runtime::pagination::Items<#request, #item> {
            hwcloud_runtime::pagination::items(self.inner.clone(), request, #style, #take)
        }
    }
}

/// The runtime's paging style of `p`, with the fields it reads and writes.
fn style(request: &proc_macro2::Ident, p: &Pagination) -> TokenStream {
    let total = |total: &Option<TotalField>| match total {
        None => quote!(|_| None),
        Some(t) => {
            let field = ident(&t.field.rust);
            if t.field.optional {
                quote!(|response| response.body.#field.map(i64::from))
            } else {
                quote!(|response| Some(i64::from(response.body.#field)))
            }
        }
    };
    match &p.style {
        PageStyle::Offset {
            offset,
            limit,
            ty,
            total: t,
        } => {
            let (offset, limit, total) = (ident(offset), ident(limit), total(t));
            let ty = rust_type(ty, Scope::Service);
            quote! {
                hwcloud_runtime::pagination::ByOffset::<#request, #ty> {
                    offset: |request| request.#offset,
                    set_offset: |request, offset| request.#offset = Some(offset),
                    limit: |request| request.#limit,
                    total: #total,
                }
            }
        }
        PageStyle::Page {
            page,
            size,
            ty,
            first,
            total: t,
        } => {
            let (page, size, total) = (ident(page), ident(size), total(t));
            let ty = rust_type(ty, Scope::Service);
            let first = proc_macro2::Literal::i64_unsuffixed(*first);
            quote! {
                hwcloud_runtime::pagination::ByPage::<#request, #ty> {
                    page: |request| request.#page,
                    size: |request| request.#size,
                    set: |request, next| {
                        request.#page = Some(next.number);
                        request.#size = Some(next.size);
                    },
                    first: #first,
                    total: #total,
                }
            }
        }
        PageStyle::Marker {
            marker,
            next,
            next_is_integer,
        } => {
            let marker = ident(marker);
            let chain = field_chain(quote!(Some(&response.body)), next);
            // The marker parameter is text; an integer marker is sent as its decimal form.
            let next = if *next_is_integer {
                quote!(#chain.map(ToString::to_string))
            } else {
                quote!(#chain.cloned())
            };
            quote! {
                hwcloud_runtime::pagination::ByMarker::<#request> {
                    marker: |request| request.#marker.as_ref(),
                    set_marker: |request, marker| request.#marker = Some(marker),
                    next: |response| #next,
                }
            }
        }
    }
}
