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
    doc_attrs(doc_lines(text), Placement::Outer)
}

/// `#[doc = "..."]` per line of markdown the generator wrote itself (a code example),
/// kept as it is: [`docs`] trims leading spaces, which would flatten the code's
/// indentation. Nothing from a spec may reach it unescaped.
pub(super) fn own_docs(text: &str) -> TokenStream {
    doc_attrs(text.lines().map(doc_lit), Placement::Outer)
}

/// `#![doc = "..."]` per line of markdown `text` (a module's own docs, printed as `//!`).
pub(super) fn inner_docs(text: &str) -> TokenStream {
    doc_attrs(doc_lines(text), Placement::Inner)
}

/// Whether a doc attribute documents the item after it (`///`) or the module it is in
/// (`//!`).
#[derive(Clone, Copy)]
enum Placement {
    Outer,
    Inner,
}

/// One doc attribute per line.
fn doc_attrs(lines: impl Iterator<Item = Literal>, placement: Placement) -> TokenStream {
    lines
        .map(|line| match placement {
            Placement::Outer => quote!(#[doc = #line]),
            Placement::Inner => quote!(#![doc = #line]),
        })
        .collect()
}

/// Each line as a doc attribute's literal; `doc_text::doc_lines` decides what a doc
/// line may hold.
fn doc_lines(text: &str) -> impl Iterator<Item = Literal> {
    super::doc_text::doc_lines(text)
        .into_iter()
        .map(|line| doc_lit(&line))
}

/// A doc line's literal, with the space `///` puts after itself, as a raw string.
///
/// Docs are a third of the generated lines and mostly not ASCII (the specs' Chinese
/// descriptions). A cooked literal (`Literal::string`) escapes every character, and syn
/// and prettyplease unescape it again to print `///`: ~6% of `cargo xtask codegen`. A raw
/// literal is copied as it is; the printed comment is the same. Doc lines hold no
/// carriage return (`doc_lines` splits on them), which a raw string may not.
fn doc_lit(line: &str) -> Literal {
    if line.is_empty() {
        return lit("");
    }
    let hashes = "#".repeat(raw_hashes(line));
    format!("r{hashes}\" {line}\"{hashes}")
        .parse()
        .unwrap_or_else(|_| lit(&format!(" {line}")))
}

/// How many `#` a raw string of `text` needs: one more than the longest run of `#`
/// after a `"` in it (none without a `"`), so the text cannot end the literal.
fn raw_hashes(text: &str) -> usize {
    text.match_indices('"')
        .map(|(i, _)| 1 + text[i + 1..].bytes().take_while(|b| *b == b'#').count())
        .max()
        .unwrap_or(0)
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
            r#"# [doc = r" first"] # [doc = ""] # [doc = r" second\u{0007}third"]"#
        );
    }

    #[test]
    fn a_doc_line_with_quotes_and_hashes_is_one_literal_of_its_text() {
        for line in [
            "plain",
            "a \"quote\"",
            "\"#tag\" and \"##x\"",
            "ends with \"",
            "back\\slash \\n",
            "中文说明:\"值\"",
        ] {
            let lit = doc_lit(line);
            let parsed: syn::LitStr = syn::parse2(lit.to_token_stream()).unwrap();
            assert_eq!(parsed.value(), format!(" {line}"), "{lit}");
        }
        assert_eq!(raw_hashes("no quote"), 0);
        assert_eq!(raw_hashes("\"##a\"#"), 3);
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
