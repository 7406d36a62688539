//! Enums of the documents -> spec enums: string enums (with a `name:` for values that
//! cannot name a variant), integer enums, `[true, false]` as `boolean`, and an enum on an
//! array as its items'.

use std::collections::HashSet;

use serde_json::Value;

use super::doc::{Schema, ptr};
use super::types::{DocTypes, Fail, Lack, Place, doc_of, lack};
use crate::names::{enum_variant, fallback_variant, pascal, variant};
use crate::spec::{EnumEntry, EnumScalar, EnumValue, TypeSpec};

impl DocTypes<'_> {
    /// A named string or integer enum (or `boolean` for `[true, false]`).
    pub(super) fn enumeration(
        &mut self,
        s: &Schema,
        values: &[Value],
        at: &str,
        hint: &str,
    ) -> Result<String, Fail> {
        let eat = ptr(at, "enum");
        let declared = s.types();
        let values: Vec<&Value> = values.iter().filter(|v| !v.is_null()).collect();
        let integers: Option<Vec<i64>> = values.iter().map(|v| v.as_i64()).collect();
        match declared.as_slice() {
            ["integer"] | [] if integers.as_ref().is_some_and(|v| !v.is_empty()) => {
                let wide = s.format.as_deref() == Some("int64")
                    || integers
                        .iter()
                        .flatten()
                        .any(|n| i32::try_from(*n).is_err());
                return Ok(self.int_enum(s, integers.unwrap_or_default(), wide, at, hint));
            }
            ["integer"] => {
                // Values that are not integers on an integer (EIP's `max_ingress_size` lists
                // `bandwidth`, `traffic`): the declared type wins, the values stay in the
                // doc (`doc_of`).
                let mut s = s.clone();
                s.enum_values = None;
                return self.expr(&s, at, hint, Place::Value);
            }
            ["number"] => return Err(lack(Lack::NumberEnum, &eat)),
            ["boolean"] => {
                return if values.len() == 2
                    && values.contains(&&Value::Bool(true))
                    && values.contains(&&Value::Bool(false))
                {
                    Ok("boolean".to_owned())
                } else {
                    Err(lack(Lack::BooleanEnum, &eat))
                };
            }
            [] if !values.is_empty() && values.iter().all(|v| v.is_number()) => {
                return Err(lack(Lack::NumberEnum, &eat));
            }
            ["array"] => {
                // An enum on the array itself lists item values.
                let mut item = s.items.as_deref().cloned().unwrap_or_default();
                if item.enum_values.is_none() {
                    item.enum_values = Some(values.iter().map(|v| (*v).clone()).collect());
                }
                let inner = self.expr(&item, &ptr(at, "items"), hint, Place::Value)?;
                return Ok(format!("array<{inner}>"));
            }
            _ => {}
        }
        let mut texts: Vec<String> = Vec::new();
        for v in values {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Number(_) | Value::Bool(_) => v.to_string(),
                _ => return Err(lack(Lack::OtherType("enum of objects".to_owned()), &eat)),
            };
            if !texts.contains(&text) {
                texts.push(text);
            }
        }
        if texts.is_empty() {
            return Ok("string".to_owned());
        }
        let spec = TypeSpec {
            doc: doc_of(s),
            enum_values: Some(named_values(&pascal(hint), texts)),
            ..TypeSpec::default()
        };
        let file = self.doc.file.clone();
        Ok(self.types.register(hint, spec, &file, at))
    }

    /// A named integer enum (`type: int32`, or `int64` when `wide`).
    fn int_enum(
        &mut self,
        s: &Schema,
        values: Vec<i64>,
        wide: bool,
        at: &str,
        hint: &str,
    ) -> String {
        let mut unique: Vec<i64> = Vec::with_capacity(values.len());
        for v in values {
            if !unique.contains(&v) {
                unique.push(v);
            }
        }
        let spec = TypeSpec {
            doc: doc_of(s),
            enum_values: Some(
                unique
                    .into_iter()
                    .map(|n| EnumValue::Plain(EnumScalar::Int(n)))
                    .collect(),
            ),
            ty: Some(if wide { "int64" } else { "int32" }.to_owned()),
            ..TypeSpec::default()
        };
        let file = self.doc.file.clone();
        self.types.register(hint, spec, &file, at)
    }
}

/// String enum values of enum type `ty`: plain where the generator names them, with the
/// `name:` of [`fallback_variant`] where it cannot (no letters or digits, `Unknown`, or a
/// variant an earlier value has).
fn named_values(ty: &str, texts: Vec<String>) -> Vec<EnumValue> {
    let mut taken: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(texts.len());
    for text in texts {
        let derived = enum_variant(ty, &text);
        if !variant(&text).is_empty() && derived != "Unknown" && taken.insert(derived) {
            out.push(EnumValue::Plain(EnumScalar::Text(text)));
            continue;
        }
        let name = fallback_variant(ty, &text, &|n| taken.contains(n));
        taken.insert(name.clone());
        out.push(EnumValue::Entry(EnumEntry {
            value: EnumScalar::Text(text),
            name: Some(name),
            doc: None,
        }));
    }
    out
}
