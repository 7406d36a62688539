//! The example in the docs of every request type and client method: a whole function
//! that builds the request with its required inputs and calls the operation. The same
//! code is compiled and run by the generated `tests/doc_examples.rs` (against a transport
//! that answers nothing), not as doctests: two doctests per operation cost 40 s on every
//! `cargo test` of a 1,075-operation crate (doctests are never cached), the test file is
//! compiled once (docs/design.md).
//!
//! Written without hidden (`# `) lines, so what a reader copies from the rendered page
//! compiles as it is. Values are placeholders named after their parameter or field
//! (`"<workspace_id>"`), the first value of an enum, and models built with their own
//! constructors, so the example also shows how a body is put together.

use proc_macro2::{Literal, TokenStream};
use quote::{ToTokens as _, quote};

use super::tokens::{ident, lit, own_docs};
use crate::ir::{Operation, Service, TypeKind, TypeRef, TypesByName, resolve_alias};

/// The doc attributes of the example of `op`, to follow an item's docs: a heading and a
/// `rust,no_run` fence.
pub(super) fn docs(service: &Service, op: &Operation, types: &TypesByName<'_>) -> TokenStream {
    own_docs(&markdown(service, op, types))
}

fn markdown(service: &Service, op: &Operation, types: &TypesByName<'_>) -> String {
    format!(
        "\n# Example\n\n```rust,no_run\n{}```",
        code(service, op, types)
    )
}

/// The example's source, laid out by prettyplease.
fn code(service: &Service, op: &Operation, types: &TypesByName<'_>) -> String {
    let file = tokens(service, op, types);
    match syn::parse2::<syn::File>(file) {
        // A blank line between the `use` and the function, as people write them.
        Ok(file) => prettyplease::unparse(&file).replacen("\nasync fn ", "\n\nasync fn ", 1),
        // The tokens are ours; a parse failure is a generator bug the examples test shows.
        Err(e) => format!("compile_error!({:?});\n", e.to_string()),
    }
}

/// The example as items: a `use` of what it names and `async fn <method>(client)`.
pub(super) fn tokens(service: &Service, op: &Operation, types: &TypesByName<'_>) -> TokenStream {
    let mut values = Values {
        types,
        uses_types: false,
    };
    let mut args = Vec::new();
    for p in op.params.iter().filter(|p| p.in_constructor()) {
        args.push(values.arg(&p.ty, &p.rust, 0));
    }
    if let Some(body) = op.body.as_ref().filter(|b| b.required) {
        args.push(values.arg(&body.ty, "body", 0));
    }
    let module = ident(&service.module);
    let client = ident(&service.client);
    let request = ident(&op.request);
    let method = ident(&op.method_name);
    // The service client is named after its module, unless that name is taken below.
    let service_var = match service.module.as_str() {
        "request" | "response" => ident("service"),
        m => ident(m),
    };
    let types_use = values.uses_types.then(|| quote!(types,));
    let shown = if op.success_body.is_some() {
        quote!(println!("{:?}", response.body);)
    } else {
        quote!(println!("HTTP {}", response.status);)
    };
    quote! {
        use hwcloud::#module::{#types_use #client, #request};

        async fn #method(client: &hwcloud::Client) -> Result<(), hwcloud::Error> {
            let #service_var = #client::new(client)?;
            let request = #request::new(#(#args),*);
            let response = #service_var.#method(request).await?;
            #shown
            Ok(())
        }
    }
}

/// Builds sample values; notes whether the example names the service's `types`.
struct Values<'a, 'b> {
    types: &'b TypesByName<'a>,
    uses_types: bool,
}

/// Past this depth of required fields the value is left to `Default` (required fields
/// cannot form a cycle, `lower` rejects it; this only bounds the recursion).
const MAX_DEPTH: usize = 16;

impl Values<'_, '_> {
    /// A value passed where `impl Into<T>` is taken (constructors): text as a `&str`
    /// literal, numbers unsuffixed.
    fn arg(&mut self, ty: &TypeRef, name: &str, depth: usize) -> TokenStream {
        match ty {
            TypeRef::String | TypeRef::Secret => lit(&placeholder(name)).into_token_stream(),
            TypeRef::Int32 | TypeRef::Int64 => Literal::i32_unsuffixed(10).into_token_stream(),
            TypeRef::Number => Literal::f64_unsuffixed(1.5).into_token_stream(),
            _ => self.value(ty, name, depth),
        }
    }

    /// A value of type `ty` itself (an element of a `vec!`, a map's value).
    fn value(&mut self, ty: &TypeRef, name: &str, depth: usize) -> TokenStream {
        match ty {
            TypeRef::String => {
                let text = lit(&placeholder(name));
                quote!(String::from(#text))
            }
            TypeRef::Secret => {
                let text = lit(&placeholder(name));
                quote!(hwcloud::Secret::new(#text))
            }
            TypeRef::Int32 => Literal::i32_suffixed(10).into_token_stream(),
            TypeRef::Int64 => Literal::i64_suffixed(10).into_token_stream(),
            TypeRef::Number => Literal::f64_suffixed(1.5).into_token_stream(),
            TypeRef::Boolean => quote!(true),
            TypeRef::DateTime => {
                quote!(hwcloud::Timestamp::parse("2024-01-02T03:04:05Z").expect("an RFC 3339 date"))
            }
            TypeRef::Json => quote!(serde_json::json!({})),
            TypeRef::Bytes => quote!(hwcloud::runtime::bytes::Bytes::from_static(
                b"file contents"
            )),
            TypeRef::File => quote!(hwcloud::runtime::FilePart::new(
                "report.xlsx",
                &b"file contents"[..]
            )),
            TypeRef::Array(element) => {
                let element = self.value(element, name, depth + 1);
                quote!(vec![#element])
            }
            TypeRef::Map(value) => self.map(value, name, depth),
            TypeRef::Named(type_name) => self.named(type_name, name, depth),
        }
    }

    fn map(&mut self, value: &TypeRef, name: &str, depth: usize) -> TokenStream {
        let value = self.value(value, name, depth + 1);
        quote!(std::collections::BTreeMap::from([(String::from("key"), #value)]))
    }

    /// A model by its constructor (required fields), an enum's first value, a named array
    /// or map as its underlying value.
    fn named(&mut self, type_name: &str, name: &str, depth: usize) -> TokenStream {
        let Some(def) = resolve_alias(self.types, type_name) else {
            return quote!(Default::default());
        };
        self.uses_types = true;
        let path = ident(type_name);
        match &def.kind {
            TypeKind::Struct(fields) if depth < MAX_DEPTH => {
                let args = fields
                    .iter()
                    .filter(|f| f.required)
                    .map(|f| self.arg(&f.ty, &f.rust, depth + 1))
                    .collect::<Vec<_>>();
                quote!(types::#path::new(#(#args),*))
            }
            TypeKind::Enum(variants) | TypeKind::IntEnum(_, variants) => match variants.first() {
                Some(v) => {
                    let variant = ident(&v.rust);
                    quote!(types::#path::#variant)
                }
                None => quote!(Default::default()),
            },
            TypeKind::Array(element) => {
                let element = self.value(element, name, depth + 1);
                quote!(vec![#element])
            }
            TypeKind::Map(value) => self.map(value, name, depth),
            TypeKind::Struct(_) | TypeKind::Alias(_) => quote!(Default::default()),
        }
    }
}

/// `"<workspace_id>"`: what the reader puts there.
fn placeholder(name: &str) -> String {
    format!("<{name}>")
}
