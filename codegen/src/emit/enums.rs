//! String enums (in the `types` module) and a service's `ErrorCode`.

use proc_macro2::TokenStream;
use quote::quote;

use super::tokens::{docs, ident, lit, status};
use crate::ir::{ErrorCode, Service, TypeDef, Variant};

/// A string enum with its `Unknown` variant; serde, `Display` and the rest come from the
/// runtime's `impl_string_enum!`.
pub(super) fn enum_def(ty: &TypeDef, variants: &[Variant]) -> TokenStream {
    let name = ident(&ty.name);
    let doc = docs(&ty.doc);
    let rust: Vec<_> = variants.iter().map(|v| ident(&v.rust)).collect();
    let wires: Vec<_> = variants.iter().map(|v| lit(&v.wire)).collect();
    let variant_docs = variants.iter().map(|v| docs(&format!("`{}`", v.wire)));
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
