//! Parameter values: how scalars, options and lists become path, query and header text.

use std::borrow::Cow;

use crate::{Secret, Timestamp};

/// A value that can be a path, query or header parameter.
pub trait ParamValue {
    /// The text sent on the wire (before percent-encoding).
    fn param_text(&self) -> Cow<'_, str>;
}

/// Zero, one or many parameter values: scalars, `Option`s and `Vec`s of scalars.
pub trait ParamValues {
    /// Calls `f` once per value.
    fn each_param(&self, f: &mut dyn FnMut(Cow<'_, str>));
}

macro_rules! display_param {
    ($($t:ty),*) => {$(
        impl ParamValue for $t {
            fn param_text(&self) -> Cow<'_, str> {
                Cow::Owned(self.to_string())
            }
        }
        impl ParamValues for $t {
            fn each_param(&self, f: &mut dyn FnMut(Cow<'_, str>)) {
                f(self.param_text())
            }
        }
    )*};
}

display_param!(bool, i32, i64, u32, u64, f64);

macro_rules! str_param {
    ($($t:ty => |$v:ident| $e:expr),*) => {$(
        impl ParamValue for $t {
            fn param_text(&self) -> Cow<'_, str> {
                let $v = self;
                Cow::Borrowed($e)
            }
        }
        impl ParamValues for $t {
            fn each_param(&self, f: &mut dyn FnMut(Cow<'_, str>)) {
                f(self.param_text())
            }
        }
    )*};
}

str_param!(String => |v| v.as_str(), str => |v| v, Timestamp => |v| v.as_str(), Secret => |v| v.expose());

impl<T: ParamValue + ?Sized> ParamValue for &T {
    fn param_text(&self) -> Cow<'_, str> {
        (**self).param_text()
    }
}

impl<T: ParamValue + ?Sized> ParamValues for &T {
    fn each_param(&self, f: &mut dyn FnMut(Cow<'_, str>)) {
        f(self.param_text())
    }
}

impl<T: ParamValue> ParamValues for Option<T> {
    fn each_param(&self, f: &mut dyn FnMut(Cow<'_, str>)) {
        if let Some(v) = self {
            f(v.param_text())
        }
    }
}

impl<T: ParamValue> ParamValues for Vec<T> {
    fn each_param(&self, f: &mut dyn FnMut(Cow<'_, str>)) {
        for v in self {
            f(v.param_text())
        }
    }
}

impl<T: ParamValue> ParamValues for Option<Vec<T>> {
    fn each_param(&self, f: &mut dyn FnMut(Cow<'_, str>)) {
        for v in self.iter().flatten() {
            f(v.param_text())
        }
    }
}
