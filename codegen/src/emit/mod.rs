//! Stage 3: IR -> the files of the generated crate.
//!
//! Rust is built with `quote` and printed with `prettyplease`; the crate's non-Rust files
//! (Cargo.toml, README.md) and the module docs are rendered with askama templates from
//! `codegen/templates/`.

mod examples;
mod service;
mod templates;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::fileset::FileSet;
use crate::ir::{Api, TypeRef};

/// Marks every file the generator owns; only files carrying it are replaced or removed.
pub const GENERATED_MARKER: &str = "@generated";

/// Every file of the generated crate, by path relative to the crate root.
pub fn emit(api: &Api) -> Result<FileSet, String> {
    let mut files = FileSet::default();
    files.insert("Cargo.toml", templates::cargo_toml(api)?);
    files.insert("README.md", templates::readme(api)?);
    files.insert(
        "src/lib.rs",
        rust_file("specs/*.yaml", lib_rs(api))?,
    );
    for service in &api.services {
        let doc = templates::module_doc(service)?;
        let tokens = service::module(service, &doc);
        files.insert(
            &format!("src/{}.rs", service.module),
            rust_file(&service.file, tokens)?,
        );
    }
    files.insert(
        "tests/examples.rs",
        rust_file("specs/*.yaml", examples::tests(api))?,
    );
    Ok(files)
}

fn lib_rs(api: &Api) -> TokenStream {
    let modules = api.services.iter().map(|s| {
        let module = ident(&s.module);
        let feature = &s.module;
        // The module documents itself (inner docs); an outer doc here would make rustdoc
        // resolve the module docs' links from the crate root.
        quote! {
            #[cfg(feature = #feature)]
            pub mod #module;
        }
    });
    quote! {
        #![doc = include_str!("../README.md")]
        #![cfg_attr(docsrs, feature(doc_cfg))]

        pub use hwcloud_runtime as runtime;
        pub use hwcloud_runtime::auth::StaticToken;
        pub use hwcloud_runtime::auth::aksk::{BasicCredentials, GlobalCredentials};
        pub use hwcloud_runtime::auth::token::{TokenCredentials, TokenPlacement};
        pub use hwcloud_runtime::{
            Client, ClientBuilder, Error, KnownErrorCode, RetryPolicy, Secret, ServiceError,
            StringEnum, Timestamp,
        };

        #(#modules)*

        /// The repository README's examples, compiled as doctests.
        #[cfg(doctest)]
        #[doc = include_str!("../../README.md")]
        struct RepositoryReadme;
    }
}

/// Formats a Rust file with the generated-file header.
fn rust_file(source: &str, tokens: TokenStream) -> Result<String, String> {
    let file: syn::File = syn::parse2(tokens)
        .map_err(|e| format!("internal error: generated Rust for {source} does not parse: {e}"))?;
    Ok(format!(
        "// {GENERATED_MARKER} by hwcloud-codegen from {source}.\n// Do not edit: change the spec and run `cargo xtask codegen`.\n\n{}",
        prettyplease::unparse(&file)
    ))
}

/// An identifier from an already valid Rust name (names are fixed up in `lower`).
pub(crate) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// The Rust type of a type reference.
pub(crate) fn type_tokens(ty: &TypeRef) -> TokenStream {
    match ty {
        TypeRef::String => quote!(String),
        TypeRef::Int32 => quote!(i32),
        TypeRef::Int64 => quote!(i64),
        TypeRef::Number => quote!(f64),
        TypeRef::Boolean => quote!(bool),
        TypeRef::DateTime => quote!(hwcloud_runtime::Timestamp),
        TypeRef::Json => quote!(serde_json::Value),
        TypeRef::Secret => quote!(hwcloud_runtime::Secret),
        TypeRef::Named(name) => {
            let name = ident(name);
            quote!(#name)
        }
        TypeRef::Array(element) => {
            let element = type_tokens(element);
            quote!(Vec<#element>)
        }
        TypeRef::Map(value) => {
            let value = type_tokens(value);
            quote!(std::collections::BTreeMap<String, #value>)
        }
    }
}

/// `#[doc]` strings of markdown text: one per line, each with the leading space `///`
/// comments have.
pub(crate) fn doc_attrs(text: &str) -> Vec<String> {
    text.trim()
        .lines()
        .map(|line| {
            if line.trim().is_empty() {
                String::new()
            } else {
                // Leading spaces would turn a line into a code block, which rustdoc runs as a doctest.
                format!(" {}", line.trim())
            }
        })
        .collect()
}
