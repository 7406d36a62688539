//! String enums of the specs: known values plus the ones a newer service may send.

/// A string enum of the specs: known values plus `Unknown(String)`.
///
/// Generated enums implement it and get serde, `Display`, `FromStr` and parameter
/// encoding from [`crate::impl_string_enum!`], which keeps the generated code small.
pub trait StringEnum: Sized {
    /// Every value the spec documents, in spec order.
    const VALUES: &'static [&'static str];
    /// The wire value.
    fn as_str(&self) -> &str;
    /// The variant for a wire value; unknown values are kept, not rejected.
    fn from_wire(value: &str) -> Self;
}

/// Implements `model::Json`, serde, `Display`, `FromStr`, `From<&str>` and parameter
/// encoding for a [`StringEnum`]. Used by the generated code.
#[macro_export]
macro_rules! impl_string_enum {
    ($t:ty) => {
        impl ::std::fmt::Display for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($crate::StringEnum::as_str(self))
            }
        }
        impl ::std::str::FromStr for $t {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(<$t as $crate::StringEnum>::from_wire(s))
            }
        }
        impl ::std::convert::From<&str> for $t {
            fn from(s: &str) -> Self {
                <$t as $crate::StringEnum>::from_wire(s)
            }
        }
        impl $crate::__private::serde::Serialize for $t {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str($crate::StringEnum::as_str(self))
            }
        }
        impl<'de> $crate::__private::serde::Deserialize<'de> for $t {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                $crate::__private::deserialize_string_enum(deserializer)
            }
        }
        impl $crate::model::Json for $t {
            fn to_json(&self) -> $crate::__private::serde_json::Value {
                $crate::__private::serde_json::Value::String(
                    $crate::StringEnum::as_str(self).to_owned(),
                )
            }
            fn read_json(
                span: $crate::model::JsonSpan<'_>,
                decoder: &mut $crate::model::Decoder,
            ) -> ::std::result::Result<Self, $crate::model::FieldError> {
                $crate::__private::string_enum_read_json(span, decoder)
            }
        }
        impl $crate::operation::ParamValue for $t {
            fn param_text(&self) -> ::std::borrow::Cow<'_, str> {
                ::std::borrow::Cow::Borrowed($crate::StringEnum::as_str(self))
            }
        }
        impl $crate::operation::ParamValues for $t {
            fn each_param(&self, f: &mut dyn FnMut(::std::borrow::Cow<'_, str>)) {
                f($crate::operation::ParamValue::param_text(self))
            }
        }
    };
}
