//! Small token builders every emitter uses: identifiers, literals, doc attributes, types.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{ToTokens, quote};

use crate::ir::TypeRef;

/// An identifier. Every name reaching emit was checked by `lower` (`names::is_ident`).
pub(crate) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// A string literal, escaped as Rust needs.
pub(crate) fn lit(text: &str) -> Literal {
    Literal::string(text)
}

/// A `u16` literal (`200u16`).
pub(super) fn status(code: u16) -> Literal {
    Literal::u16_suffixed(code)
}

/// `#![cfg_attr(rustfmt, rustfmt::skip)]`, for the root of a generated crate or test:
/// the checked-in text is prettyplease's, so a workspace-wide `cargo fmt` must leave it
/// alone or `cargo xtask codegen --check` fails. (A plain `#![rustfmt::skip]` is an
/// unstable custom inner attribute; modules are skipped by `#[rustfmt::skip] mod x;`.)
pub(super) fn skip_rustfmt() -> TokenStream {
    quote!(#![cfg_attr(rustfmt, rustfmt::skip)])
}

/// `#[doc = "..."]` per line of markdown `text` (printed as `///` comments).
pub(super) fn docs(text: &str) -> TokenStream {
    let mut out = TokenStream::new();
    for line in doc_lines(text) {
        out.extend(quote!(#[doc = #line]));
    }
    out
}

/// `#[doc = "..."]` per line of markdown the generator wrote itself (a code example),
/// kept as it is: [`docs`] trims leading spaces, which would flatten the code's
/// indentation. Nothing from a spec may reach it unescaped.
pub(super) fn own_docs(text: &str) -> TokenStream {
    let mut out = TokenStream::new();
    for line in text.lines() {
        let line = if line.is_empty() {
            lit("")
        } else {
            lit(&format!(" {line}"))
        };
        out.extend(quote!(#[doc = #line]));
    }
    out
}

/// `#![doc = "..."]` per line of markdown `text` (a module's own docs, printed as `//!`).
pub(super) fn inner_docs(text: &str) -> TokenStream {
    let mut out = TokenStream::new();
    for line in doc_lines(text) {
        out.extend(quote!(#![doc = #line]));
    }
    out
}

/// Each line as a doc attribute's literal, with the space `///` puts after itself;
/// `doc_text::doc_lines` decides what a doc line may hold.
fn doc_lines(text: &str) -> impl Iterator<Item = Literal> {
    super::doc_text::doc_lines(text).into_iter().map(|line| {
        if line.is_empty() {
            lit("")
        } else {
            lit(&format!(" {line}"))
        }
    })
}

/// Where a type is named from: the service module reaches models through `types::`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// `src/<service>.rs`: `types::Name`.
    Service,
    /// `src/<service>/types.rs` and the generated tests (which import `types::*`): `Name`.
    Types,
}

/// The Rust type of a type reference.
pub(crate) fn rust_type(ty: &TypeRef, scope: Scope) -> TokenStream {
    match ty {
        TypeRef::String => quote!(String),
        TypeRef::Int32 => quote!(i32),
        TypeRef::Int64 => quote!(i64),
        TypeRef::Number => quote!(f64),
        TypeRef::Boolean => quote!(bool),
        TypeRef::DateTime => quote!(hwcloud_runtime::Timestamp),
        TypeRef::Json => quote!(serde_json::Value),
        TypeRef::Secret => quote!(hwcloud_runtime::Secret),
        TypeRef::Bytes => quote!(hwcloud_runtime::bytes::Bytes),
        TypeRef::File => quote!(hwcloud_runtime::FilePart),
        TypeRef::Named(name) => named(name, scope),
        TypeRef::Array(element) => {
            let element = rust_type(element, scope);
            quote!(Vec<#element>)
        }
        TypeRef::Map(value) => {
            let value = rust_type(value, scope);
            quote!(std::collections::BTreeMap<String, #value>)
        }
    }
}

/// A named type of the service (a model or enum) seen from `scope`.
pub(crate) fn named(name: &str, scope: Scope) -> TokenStream {
    let name = ident(name);
    match scope {
        Scope::Service => quote!(types::#name),
        Scope::Types => name.into_token_stream(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_lines_are_trimmed_and_clean() {
        let tokens = docs("  first\n\n  second\u{7}third ").to_string();
        assert_eq!(
            tokens,
            r#"# [doc = " first"] # [doc = ""] # [doc = " second\\u{0007}third"]"#
        );
    }

    #[test]
    fn models_are_reached_through_types_from_the_service_module() {
        let ty = TypeRef::Array(Box::new(TypeRef::Named("Dimension".into())));
        assert_eq!(
            rust_type(&ty, Scope::Service).to_string(),
            "Vec < types :: Dimension >"
        );
        assert_eq!(
            rust_type(&ty, Scope::Types).to_string(),
            "Vec < Dimension >"
        );
    }
}
