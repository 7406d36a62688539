//! A service's `types` module: models (structs with their JSON form, constructor and
//! setters), multipart forms, named arrays and maps; enums are in [`super::enums`].

use proc_macro2::TokenStream;
use quote::quote;

use super::enums;
use super::tokens::{Scope, docs, ident, inner_docs, lit, rust_type};
use crate::ir::{Field, Service, TypeDef, TypeKind, TypeRef};

fn rust(ty: &TypeRef) -> TokenStream {
    rust_type(ty, Scope::Types)
}

/// The module's docs and imports.
pub(super) fn head(service: &Service) -> TokenStream {
    let doc = inner_docs(&format!(
        "The models and enums of the {} service: the bodies of [`{}`](super::{}) requests and responses, and the types they hold.",
        service.name, service.client, service.client
    ));
    let has_models = service
        .types
        .iter()
        .any(|t| matches!(t.kind, TypeKind::Struct(_)) && !t.multipart);
    let imports = has_models.then(|| {
        quote!(
            use hwcloud_runtime::model::{FieldError, Model, ObjectReader, ObjectWriter};
        )
    });
    quote!(#doc #imports)
}

pub(super) fn type_def(ty: &TypeDef) -> TokenStream {
    let name = ident(&ty.name);
    let doc = docs(&ty.doc);
    match &ty.kind {
        TypeKind::Struct(fields) => struct_def(ty, fields),
        TypeKind::Enum(variants) => enums::enum_def(ty, variants),
        TypeKind::IntEnum(int, variants) => enums::int_enum_def(ty, int, variants),
        TypeKind::Array(element) => {
            let element = rust(element);
            quote!(#doc pub type #name = Vec<#element>;)
        }
        TypeKind::Map(value) => {
            let value = rust(value);
            quote!(#doc pub type #name = std::collections::BTreeMap<String, #value>;)
        }
        TypeKind::Alias(target) => {
            let doc = docs(&format!(
                "{}\n\nThe same shape as [`{target}`]: one type, generated once, under both names.",
                ty.doc
            ));
            let target = ident(target);
            quote!(#doc pub type #name = #target;)
        }
    }
}

fn field_type(f: &Field) -> TokenStream {
    let ty = rust(&f.ty);
    let ty = if f.boxed { quote!(Box<#ty>) } else { ty };
    if f.required { ty } else { quote!(Option<#ty>) }
}

fn struct_def(ty: &TypeDef, fields: &[Field]) -> TokenStream {
    let name = ident(&ty.name);
    let doc = docs(&ty.doc);
    let derive = if fields.iter().all(|f| !f.required) {
        quote!(#[derive(Clone, Debug, PartialEq, Default)])
    } else {
        quote!(#[derive(Clone, Debug, PartialEq)])
    };
    let members = fields.iter().map(|f| {
        let doc = if ty.multipart {
            docs(&format!("{}\n\nSent as form part `{}`.", f.doc, f.wire))
        } else {
            docs(&f.doc)
        };
        let field = ident(&f.rust);
        let ty = field_type(f);
        quote!(#doc pub #field: #ty,)
    });
    // A multipart form holds files, which have no JSON form: it is written part by part.
    // Every other struct is a JSON object; see `model_impl` for why it is not derived.
    // A form without files sent as multipart by an operation has both.
    let form = if ty.multipart {
        multipart_impl(&name, fields)
    } else if ty.multipart_body {
        let mut both = model_impl(&ty.name, fields);
        both.extend(multipart_impl(&name, fields));
        both
    } else {
        model_impl(&ty.name, fields)
    };
    let constructor = constructor(&name, fields);
    quote! {
        #doc
        #derive
        #[non_exhaustive]
        pub struct #name {
            #(#members)*
        }

        #form
        #constructor
    }
}

/// `new` with the required fields, and a setter per optional one.
fn constructor(name: &proc_macro2::Ident, fields: &[Field]) -> TokenStream {
    let mut args = Vec::new();
    let mut inits = Vec::new();
    for f in fields {
        let field = ident(&f.rust);
        if f.required {
            let ty = rust(&f.ty);
            args.push(quote!(#field: impl Into<#ty>));
            inits.push(if f.boxed {
                quote!(#field: Box::new(#field.into()))
            } else {
                quote!(#field: #field.into())
            });
        } else {
            inits.push(quote!(#field: None));
        }
    }
    let optional = fields.iter().any(|f| !f.required);
    let doc = docs(match (args.is_empty(), optional) {
        (true, true) => "An empty value; set fields with the methods below.",
        (false, true) => {
            "A value with the required fields; set optional ones with the methods below."
        }
        (false, false) => "A value of its fields.",
        (true, false) => "The value (the type has no fields).",
    });
    // A setter's doc is its field's.
    let setters = fields.iter().filter(|f| !f.required).map(|f| {
        let doc = docs(&f.doc);
        let setter = setter(&f.rust, &rust(&f.ty), f.boxed);
        quote!(#doc #setter)
    });
    quote! {
        impl #name {
            #doc
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits),* }
            }
            #(#setters)*
        }
    }
}

/// `pub fn <field>(mut self, value: impl Into<T>) -> Self`: sets an optional field.
pub(super) fn setter(field: &str, ty: &TokenStream, boxed: bool) -> TokenStream {
    let name = ident(setter_name(field));
    let field = ident(field);
    let value = if boxed {
        quote!(Box::new(value.into()))
    } else {
        quote!(value.into())
    };
    quote! {
        pub fn #name(mut self, value: impl Into<#ty>) -> Self {
            self.#field = Some(#value);
            self
        }
    }
}

/// The setter of a field: its own name, but `with_new` for a field named `new` (the
/// constructor's name).
pub(crate) fn setter_name(field: &str) -> &str {
    if field == "new" { "with_new" } else { field }
}

/// The JSON form of a struct: its fields listed once for `hwcloud_runtime::model`, which
/// provides `Serialize` and `Deserialize` through `impl_model_serde!`. Derived serde impls
/// were most of the generated crate's compile time (see the runtime's `model` module).
fn model_impl(name: &str, fields: &[Field]) -> TokenStream {
    let type_name = lit(name);
    let name = ident(name);
    let writes = fields.iter().map(|f| {
        let wire = lit(&f.wire);
        let field = ident(&f.rust);
        if f.required {
            quote!(object.field(#wire, &self.#field);)
        } else {
            quote!(object.optional(#wire, &self.#field);)
        }
    });
    // Each field into a local, then the struct: a `?` inside the struct literal makes
    // every early return drop the fields read so far on a path of its own, and that drop
    // code was a third of the generated crate's LLVM IR (`cargo llvm-lines`; locals cut a
    // read by ~40%). The reader gets a name no field has, as the locals are the fields'.
    let mut reader = if fields.is_empty() {
        "_object"
    } else {
        "object"
    }
    .to_owned();
    while fields.iter().any(|f| f.rust == reader) {
        reader.push('_');
    }
    let reader = ident(&reader);
    let reads = fields.iter().map(|f| {
        let wire = lit(&f.wire);
        let field = ident(&f.rust);
        if f.required {
            quote!(let #field = #reader.required(#wire)?;)
        } else {
            quote!(let #field = #reader.optional(#wire)?;)
        }
    });
    let names = fields.iter().map(|f| ident(&f.rust));
    quote! {
        impl Model for #name {
            const NAME: &'static str = #type_name;

            fn write(&self, object: &mut ObjectWriter) {
                #(#writes)*
            }

            fn read(#reader: &mut ObjectReader<'_>) -> Result<Self, FieldError> {
                #(#reads)*
                Ok(Self { #(#names),* })
            }
        }

        hwcloud_runtime::impl_model_serde!(#name);
    }
}

/// A multipart form, written part by part.
fn multipart_impl(name: &proc_macro2::Ident, fields: &[Field]) -> TokenStream {
    let parts = fields.iter().map(|f| {
        let wire = lit(&f.wire);
        let field = ident(&f.rust);
        match (&f.ty, f.required) {
            (TypeRef::File, true) => quote!(form.file(#wire, Some(&self.#field));),
            (TypeRef::File, false) => quote!(form.file(#wire, self.#field.as_ref());),
            _ => quote!(form.text(#wire, &self.#field);),
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
