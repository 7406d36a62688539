//! Named types, their fields and enum variants, and type expressions.

use super::table::{Shape, TypeTable};
use super::{Cx, HashMap, HashSet, map_with_capacity, path};
use crate::diag::did_you_mean;
use crate::ir::{self, TypeRef};
use crate::names::{enum_variant, is_ident, pascal, snake, variant};
use crate::spec::{FieldSpec, ServiceSpec};

/// Scalar type names of the spec format.
pub(super) const SCALARS: &[&str] = &[
    "string", "int32", "int64", "number", "boolean", "datetime", "json", "bytes", "file",
];

impl Cx<'_> {
    /// Every type under `types:`, resolved, in spec order.
    pub(super) fn named_types(
        &mut self,
        table: &TypeTable,
        spec: &ServiceSpec,
    ) -> Vec<ir::TypeDef> {
        let mut out = Vec::with_capacity(spec.types.len());
        for (name, ty) in &spec.types {
            let at = path(&["types", name]);
            let kinds = [
                ty.fields.is_some(),
                ty.enum_values.is_some(),
                ty.array.is_some(),
                ty.map.is_some(),
            ];
            if kinds.iter().filter(|k| **k).count() != 1 {
                self.error_key(
                    &at,
                    format!(
                        "type `{name}` must have exactly one of `fields`, `enum`, `array`, `map`"
                    ),
                );
                continue;
            }
            let kind = if let Some(fields) = &ty.fields {
                ir::TypeKind::Struct(self.fields(table, &at, fields))
            } else if let Some(values) = &ty.enum_values {
                ir::TypeKind::Enum(self.variants(&format!("{at}.enum"), &pascal(name), values))
            } else if let Some(element) = &ty.array {
                ir::TypeKind::Array(self.type_ref(table, || format!("{at}.array"), element, false))
            } else if let Some(value) = &ty.map {
                ir::TypeKind::Map(self.type_ref(table, || format!("{at}.map"), value, false))
            } else {
                continue;
            };
            let multipart =
                matches!(&kind, ir::TypeKind::Struct(f) if f.iter().any(|f| f.ty == TypeRef::File));
            out.push(ir::TypeDef {
                name: pascal(name),
                doc: ty.doc.clone(),
                kind,
                multipart,
                multipart_body: false,
            });
        }
        out
    }

    fn fields(
        &mut self,
        table: &TypeTable,
        at: &str,
        fields: &indexmap::IndexMap<String, FieldSpec>,
    ) -> Vec<ir::Field> {
        let mut seen: HashMap<String, &str> = map_with_capacity(fields.len());
        let mut out = Vec::with_capacity(fields.len());
        for (wire, field) in fields {
            let fat = || format!("{at}.fields.{wire}");
            let rust = match &field.rust_name {
                Some(name) if !is_ident(name) => {
                    self.error_value(
                        &format!("{}.rust_name", fat()),
                        format!(
                            "`{name}` is not a Rust identifier (expected letters, digits and `_`)"
                        ),
                    );
                    continue;
                }
                Some(name) => snake(name),
                None => self.checked_ident(fat, wire, snake(wire)),
            };
            if let Some(first) = seen.get(&rust) {
                self.error_key(&fat(), format!("fields `{first}` and `{wire}` both become `{rust}` in Rust (expected `rust_name` on one of them)"));
                continue;
            }
            seen.insert(rust.clone(), wire);
            let ty = match &field.enum_values {
                Some(_) => self.inline_enum_ref(&fat(), wire, field.ty.as_deref()),
                None => self.type_ref(
                    table,
                    || format!("{}.type", fat()),
                    field.ty.as_deref().unwrap_or("string"),
                    field.sensitive,
                ),
            };
            if contains(&ty, &TypeRef::Bytes) {
                self.error_value(&format!("{}.type", fat()), "`bytes` is a body or response type, not a field type (expected `file` for a multipart file part, or `string`)");
            }
            if ty != TypeRef::File && contains(&ty, &TypeRef::File) {
                self.error_value(
                    &format!("{}.type", fat()),
                    "`file` fields cannot be nested in arrays or maps (expected `type: file`)",
                );
            }
            out.push(ir::Field {
                wire: wire.clone(),
                rust,
                ty,
                required: field.required,
                boxed: false,
                doc: field.doc.clone(),
            });
        }
        out
    }

    /// The type an inline `enum` defines, named after its key.
    pub(super) fn inline_enum_ref(&mut self, at: &str, key: &str, ty: Option<&str>) -> TypeRef {
        if ty.is_some() {
            self.error_key(
                &format!("{at}.type"),
                "`type` and `enum` are both given (expected one: `enum` defines the type)",
            );
        }
        TypeRef::Named(pascal(key))
    }

    /// The variants of enum `ty` (its Rust name): each value's PascalCase name without
    /// the type's name in front (see [`enum_variant`]).
    fn variants(&mut self, at: &str, ty: &str, values: &[String]) -> Vec<ir::Variant> {
        if values.is_empty() {
            self.error_value(at, "enum has no values (expected at least one)");
        }
        let mut seen: HashMap<String, String> = HashMap::default();
        let mut out = Vec::new();
        for (i, value) in values.iter().enumerate() {
            let vat = format!("{at}.{i}");
            if variant(value).is_empty() {
                self.error_value(&vat, format!("enum value `{value}` has no letters or digits to name a Rust variant (expected a value with at least one)"));
                continue;
            }
            if variant(value) == "Unknown" {
                self.error_value(&vat, format!("enum value `{value}` becomes `Unknown`, the variant kept for values the spec does not list (expected another value)"));
                continue;
            }
            let rust = enum_variant(ty, value);
            if let Some(first) = seen.get(&rust) {
                let message = if first == value {
                    format!("enum value `{value}` is listed twice (expected each value once)")
                } else {
                    format!(
                        "enum values `{first}` and `{value}` both become the Rust variant `{ty}::{rust}` (the type's name is left out of its variants' names; expected values that differ after that and case conversion)"
                    )
                };
                self.error_value(&vat, message);
                continue;
            }
            seen.insert(rust.clone(), value.clone());
            out.push(ir::Variant {
                rust,
                wire: value.clone(),
            });
        }
        out
    }

    /// Inline enums of params and fields become named types.
    pub(super) fn inline_enums(&mut self, spec: &ServiceSpec) -> Vec<ir::TypeDef> {
        let mut out = Vec::new();
        let mut done = HashSet::default();
        for site in inline_enum_sites(spec) {
            let name = pascal(site.key);
            if !done.insert(name.clone()) {
                continue;
            }
            out.push(ir::TypeDef {
                multipart: false,
                multipart_body: false,
                doc: site.doc.to_owned(),
                kind: ir::TypeKind::Enum(self.variants(
                    &format!("{}.enum", site.at),
                    &name,
                    site.values,
                )),
                name,
            });
        }
        out
    }

    /// Resolves a type expression written at `at`.
    pub(super) fn type_ref(
        &mut self,
        table: &TypeTable,
        at: impl Fn() -> String,
        expr: &str,
        sensitive: bool,
    ) -> TypeRef {
        let ty = match parse_type(expr) {
            Err(message) => {
                self.error_value(&at(), message);
                return TypeRef::String;
            }
            Ok(ty) => ty,
        };
        if let Some(name) = first_named(&ty).filter(|n| table.shape(n).is_none()) {
            let mut candidates: Vec<&str> = table.names().collect();
            candidates.extend(SCALARS);
            candidates.sort_unstable();
            let hint = did_you_mean(name, candidates);
            self.error_value_hint(
                &at(),
                format!("unknown type `{name}` (expected a scalar ({}), `array<T>`, `map<T>` or a type declared under `types`)", SCALARS.join(", ")),
                hint,
            );
        }
        if sensitive {
            if ty == TypeRef::String {
                return TypeRef::Secret;
            }
            self.error_value(
                &at(),
                "`sensitive` applies to string values only (expected `type: string`)",
            );
        }
        ty
    }
}

/// Whether `ty` is an enum, as parameters and form fields need.
pub(super) fn is_enum(table: &TypeTable, ty: &TypeRef) -> bool {
    matches!(ty, TypeRef::Named(n) if table.shape(n) == Some(Shape::Enum))
}

/// Parses a type expression: a scalar, `array<T>`, `map<T>` or a type name.
pub fn parse_type(expr: &str) -> Result<TypeRef, String> {
    let expr = expr.trim();
    let inner = |prefix: &str| {
        expr.strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix('>'))
    };
    if let Some(element) = inner("array<") {
        return Ok(TypeRef::Array(Box::new(parse_type(element)?)));
    }
    if let Some(value) = inner("map<") {
        return Ok(TypeRef::Map(Box::new(parse_type(value)?)));
    }
    Ok(match expr {
        "string" => TypeRef::String,
        "int32" => TypeRef::Int32,
        "int64" => TypeRef::Int64,
        "number" => TypeRef::Number,
        "boolean" => TypeRef::Boolean,
        "datetime" => TypeRef::DateTime,
        "json" => TypeRef::Json,
        "bytes" => TypeRef::Bytes,
        "file" => TypeRef::File,
        name if is_ident(name) && name.starts_with(|c: char| c.is_ascii_uppercase()) => {
            TypeRef::Named(name.to_owned())
        }
        _ => {
            return Err(format!(
                "`{expr}` is not a type expression (expected a scalar ({}), `array<T>`, `map<T>` or a PascalCase type name)",
                SCALARS.join(", ")
            ));
        }
    })
}

/// True when `ty` is or contains `needle` (through arrays and maps).
pub(super) fn contains(ty: &TypeRef, needle: &TypeRef) -> bool {
    ty == needle || matches!(ty, TypeRef::Array(t) | TypeRef::Map(t) if contains(t, needle))
}

/// The named type `ty` is or holds (through arrays and maps).
pub(super) fn first_named(ty: &TypeRef) -> Option<&str> {
    match ty {
        TypeRef::Named(n) => Some(n),
        TypeRef::Array(t) | TypeRef::Map(t) => first_named(t),
        _ => None,
    }
}

/// A param or field with an inline `enum`.
pub(super) struct InlineEnum<'a> {
    /// YAML path of the param or field, for positions.
    pub(super) at: String,
    /// Its key: the enum type is named after it.
    pub(super) key: &'a str,
    values: &'a [String],
    doc: &'a str,
}

/// Every param and field with an inline `enum`, in file order.
pub(super) fn inline_enum_sites(spec: &ServiceSpec) -> Vec<InlineEnum<'_>> {
    let mut out = Vec::new();
    for (op_name, op) in &spec.operations {
        for (key, param) in &op.params {
            if let Some(values) = &param.enum_values {
                out.push(InlineEnum {
                    at: path(&["operations", op_name, "params", key]),
                    key,
                    values,
                    doc: &param.doc,
                });
            }
        }
    }
    for (type_name, ty) in &spec.types {
        for (key, field) in ty.fields.iter().flatten() {
            if let Some(values) = &field.enum_values {
                out.push(InlineEnum {
                    at: path(&["types", type_name, "fields", key]),
                    key,
                    values,
                    doc: &field.doc,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_expressions() {
        assert_eq!(parse_type("string"), Ok(TypeRef::String));
        assert_eq!(
            parse_type("array<map<Foo>>"),
            Ok(TypeRef::Array(Box::new(TypeRef::Map(Box::new(
                TypeRef::Named("Foo".into())
            )))))
        );
        assert!(parse_type("list of Foo").is_err());
        assert!(parse_type("foo").is_err());
    }
}
