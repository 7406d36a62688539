//! String and integer enums (in the `types` module) and a service's `ErrorCode`.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::tokens::{Scope, docs, ident, lit, rust_type, status};
use crate::ir::{ErrorCode, Service, TypeDef, TypeRef, Variant};

/// A string enum with its `Unknown` variant; serde, `Display` and the rest come from the
/// runtime's `impl_string_enum!`.
pub(super) fn enum_def(ty: &TypeDef, variants: &[Variant]) -> TokenStream {
    let name = ident(&ty.name);
    let doc = docs(&ty.doc);
    let rust: Vec<_> = variants.iter().map(|v| ident(&v.rust)).collect();
    let wires: Vec<_> = variants.iter().map(|v| lit(&v.wire)).collect();
    let variant_docs = variants.iter().map(|v| docs(&variant_doc_text(v)));
    quote! {
        #doc
        ///
        /// Values this SDK does not know are kept in `Unknown`, so a service adding a value
        /// does not break decoding.
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variant_docs #rust,)*
            /// A value the spec does not list, kept as sent.
            Unknown(String),
        }

        impl hwcloud_runtime::StringEnum for #name {
            const VALUES: &'static [&'static str] = &[#(#wires),*];

            fn as_str(&self) -> &str {
                match self {
                    #(Self::#rust => #wires,)*
                    Self::Unknown(value) => value,
                }
            }

            fn from_wire(value: &str) -> Self {
                match value {
                    #(#wires => Self::#rust,)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        hwcloud_runtime::impl_string_enum!(#name);
    }
}

/// An integer enum with its `Unknown` variant: `value`/`from_value`, and `From` both
/// ways, `Display`, serde, `model::Json` and parameter encoding, each delegating to the
/// integer's own. Written per enum: a macro would keep the module shorter, but the runtime
/// (where `impl_string_enum!` lives) is not the generator's, and prettyplease cannot lay
/// out a macro defined in the generated module.
pub(super) fn int_enum_def(ty: &TypeDef, int: &TypeRef, variants: &[Variant]) -> TokenStream {
    let name = ident(&ty.name);
    let doc = docs(&ty.doc);
    let int = rust_type(int, Scope::Types);
    let rust: Vec<_> = variants.iter().map(|v| ident(&v.rust)).collect();
    let values: Vec<_> = variants
        .iter()
        .map(|v| Literal::i64_unsuffixed(v.int()))
        .collect();
    let variant_docs = variants.iter().map(|v| docs(&variant_doc_text(v)));
    quote! {
        #doc
        ///
        /// Sent as a JSON integer. Values this SDK does not know are kept in `Unknown`, so a
        /// service adding a value does not break decoding.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variant_docs #rust,)*
            /// A value the spec does not list, kept as sent.
            Unknown(#int),
        }

        impl #name {
            /// Every value the spec documents, in spec order.
            pub const VALUES: &'static [#int] = &[#(#values),*];

            /// The wire value.
            pub fn value(self) -> #int {
                match self {
                    #(Self::#rust => #values,)*
                    Self::Unknown(value) => value,
                }
            }

            /// The variant for a wire value; unknown values are kept, not rejected.
            pub fn from_value(value: #int) -> Self {
                match value {
                    #(#values => Self::#rust,)*
                    other => Self::Unknown(other),
                }
            }
        }

        impl From<#int> for #name {
            fn from(value: #int) -> Self {
                Self::from_value(value)
            }
        }

        impl From<#name> for #int {
            fn from(value: #name) -> #int {
                value.value()
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.value(), f)
            }
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serde::Serialize::serialize(&self.value(), serializer)
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <#int as serde::Deserialize>::deserialize(deserializer).map(Self::from_value)
            }
        }

        impl hwcloud_runtime::model::Json for #name {
            fn to_json(&self) -> serde_json::Value {
                self.value().into()
            }

            fn read_json(
                span: hwcloud_runtime::model::JsonSpan<'_>,
                decoder: &mut hwcloud_runtime::model::Decoder,
            ) -> Result<Self, hwcloud_runtime::model::FieldError> {
                <#int as hwcloud_runtime::model::Json>::read_json(span, decoder).map(Self::from_value)
            }
        }

        impl hwcloud_runtime::operation::ParamValue for #name {
            fn param_text(&self) -> std::borrow::Cow<'_, str> {
                self.value().to_string().into()
            }
        }

        impl hwcloud_runtime::operation::ParamValues for #name {
            fn each_param(&self, f: &mut dyn FnMut(std::borrow::Cow<'_, str>)) {
                f(hwcloud_runtime::operation::ParamValue::param_text(self))
            }
        }
    }
}

/// A variant's doc: its wire value, and what it means when the spec says.
fn variant_doc_text(v: &Variant) -> String {
    let value = if v.wire.is_empty() {
        "`\"\"` (empty)".to_owned()
    } else {
        format!("`{}`", v.wire)
    };
    if v.doc.is_empty() {
        value
    } else {
        format!("{value}: {}", v.doc)
    }
}

/// `ErrorCode`: the service's documented error codes (nothing when it documents none).
pub(super) fn error_codes(service: &Service) -> TokenStream {
    if service.errors.is_empty() {
        return TokenStream::new();
    }
    let doc = docs(&format!(
        "The error codes documented for the {} service, with their descriptions and recommended handling.\n\nGet one from an error with `ServiceError::known::<ErrorCode>()`.",
        service.name
    ));
    let variants: Vec<_> = service.errors.iter().map(|e| ident(&e.variant)).collect();
    let codes: Vec<_> = service.errors.iter().map(|e| lit(&e.code)).collect();
    let variant_docs = service.errors.iter().map(|e| docs(&variant_doc(e)));
    let statuses = service.errors.iter().map(|e| status(e.status));
    let descriptions = service.errors.iter().map(|e| match &e.meaning {
        Some(m) => lit(&format!("{} ({m})", e.description)),
        None => lit(&e.description),
    });
    let handling = service.errors.iter().map(|e| match &e.handling {
        Some(h) => {
            let h = lit(h);
            quote!(Some(#h))
        }
        None => quote!(None),
    });
    quote! {
        #doc
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            #(#variant_docs #variants,)*
        }

        impl hwcloud_runtime::KnownErrorCode for ErrorCode {
            fn from_code(code: &str) -> Option<Self> {
                match code {
                    #(#codes => Some(Self::#variants),)*
                    _ => None,
                }
            }

            fn code(&self) -> &'static str {
                match self {
                    #(Self::#variants => #codes,)*
                }
            }

            fn status(&self) -> hwcloud_runtime::http::StatusCode {
                let status: u16 = match self {
                    #(Self::#variants => #statuses,)*
                };
                // `lower` keeps documented statuses within 100..=599, which this accepts.
                hwcloud_runtime::http::StatusCode::from_u16(status)
                    .unwrap_or(hwcloud_runtime::http::StatusCode::INTERNAL_SERVER_ERROR)
            }

            fn description(&self) -> &'static str {
                match self {
                    #(Self::#variants => #descriptions,)*
                }
            }

            fn handling(&self) -> Option<&'static str> {
                match self {
                    #(Self::#variants => #handling,)*
                }
            }
        }
    }
}

fn variant_doc(e: &ErrorCode) -> String {
    let mut text = format!("`{}` (HTTP {}): {}", e.code, e.status, e.description);
    if let Some(m) = &e.meaning {
        text.push_str(&format!("\n\n{m}"));
    }
    if let Some(h) = &e.handling {
        text.push_str(&format!("\n\nRecommended handling: {h}"));
    }
    text
}
