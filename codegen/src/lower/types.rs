//! Named types, their fields and enum variants, and type expressions.

use super::table::{Shape, TypeTable, inline_enum_sites};
use super::{Cx, HashMap, HashSet, map_with_capacity, path};
use crate::diag::did_you_mean;
use crate::ir::{self, TypeRef};
use crate::names::{enum_variant, fallback_variant, int_variant, is_ident, pascal, snake, variant};
use crate::spec::{EnumScalar, EnumValue, FieldSpec, ServiceSpec};

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
            if ty.ty.is_some() && ty.enum_values.is_none() {
                self.error_key(
                    &format!("{at}.type"),
                    format!("`type` of type `{name}` applies to enums only (expected `type: int32` or `int64` beside `enum`)"),
                );
            }
            let kind = if let Some(fields) = &ty.fields {
                ir::TypeKind::Struct(self.fields(table, &at, fields))
            } else if let Some(values) = &ty.enum_values {
                let repr = self.enum_repr(&at, ty.ty.as_deref(), values);
                self.enum_kind(&format!("{at}.enum"), &pascal(name), values, repr)
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
                Some(_) => self.inline_enum_ref(wire),
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
    pub(super) fn inline_enum_ref(&mut self, key: &str) -> TypeRef {
        TypeRef::Named(pascal(key))
    }

    /// What an enum's values are, from the `type` beside `enum` (at `at`): `string` (the
    /// default), `int32` or `int64`.
    /// After a wrong `type`, the values' own kind stands, so they are not reported too.
    pub(super) fn enum_repr(
        &mut self,
        at: &str,
        ty: Option<&str>,
        values: &[EnumValue],
    ) -> TypeRef {
        match ty.map(str::trim) {
            None | Some("string") => TypeRef::String,
            Some("int32") => TypeRef::Int32,
            Some("int64") => TypeRef::Int64,
            Some(other) => {
                self.error_value(
                    &format!("{at}.type"),
                    format!("`type: {other}` cannot have an `enum` (expected `string`, `int32` or `int64`: `enum` defines the type)"),
                );
                match values.first().map(EnumValue::value) {
                    Some(EnumScalar::Int(_)) => TypeRef::Int64,
                    _ => TypeRef::String,
                }
            }
        }
    }

    /// A string or integer enum (`repr` from [`Self::enum_repr`]) of Rust name `ty`.
    fn enum_kind(
        &mut self,
        at: &str,
        ty: &str,
        values: &[EnumValue],
        repr: TypeRef,
    ) -> ir::TypeKind {
        let variants = self.variants(at, ty, values, &repr);
        match repr {
            TypeRef::String => ir::TypeKind::Enum(variants),
            int => ir::TypeKind::IntEnum(int, variants),
        }
    }

    /// The variants of enum `ty` (its Rust name): the value's `name:`, or its PascalCase
    /// name without the type's name in front (see [`enum_variant`]), or `V<n>` for an
    /// integer (see [`int_variant`]).
    fn variants(
        &mut self,
        at: &str,
        ty: &str,
        values: &[EnumValue],
        repr: &TypeRef,
    ) -> Vec<ir::Variant> {
        if values.is_empty() {
            self.error_value(at, "enum has no values (expected at least one)");
        }
        let mut seen: HashMap<String, String> = HashMap::default();
        let mut wires: HashSet<&EnumScalar> = HashSet::default();
        let mut out = Vec::new();
        for (i, value) in values.iter().enumerate() {
            let vat = format!("{at}.{i}");
            let scalar = value.value();
            if !wires.insert(scalar) {
                self.error_value(
                    &vat,
                    format!("enum value `{scalar}` is listed twice (expected each value once)"),
                );
                continue;
            }
            let Some(wire) = self.enum_wire(&vat, scalar, repr) else {
                continue;
            };
            let Some(rust) = self.variant_name(&vat, ty, value) else {
                continue;
            };
            if let Some(first) = seen.get(&rust) {
                self.error_value(&vat, format!(
                    "enum values `{first}` and `{scalar}` both become the Rust variant `{ty}::{rust}` (the type's name is left out of its variants' names; expected values that differ after that and case conversion, or a `name:` for one: `{{ value: {scalar}, name: ... }}`)"
                ));
                continue;
            }
            seen.insert(rust.clone(), scalar.to_string());
            out.push(ir::Variant {
                rust,
                wire,
                doc: value.doc().unwrap_or_default().to_owned(),
            });
        }
        out
    }

    /// The wire text of an enum value, checked against the enum's `repr`.
    fn enum_wire(&mut self, at: &str, value: &EnumScalar, repr: &TypeRef) -> Option<String> {
        match (value, repr) {
            (EnumScalar::Text(text), TypeRef::String) => return Some(text.clone()),
            (EnumScalar::Int(n), TypeRef::Int64) => return Some(n.to_string()),
            (EnumScalar::Int(n), TypeRef::Int32) if i32::try_from(*n).is_ok() => {
                return Some(n.to_string());
            }
            _ => {}
        }
        let message = match (value, repr) {
            (EnumScalar::Int(n), TypeRef::String) => format!(
                "enum value `{n}` is an integer in a string enum (expected `type: int32` or `int64` beside `enum` for an integer enum, or the value quoted: `\"{n}\"`)"
            ),
            (EnumScalar::Int(n), _) => {
                format!("enum value `{n}` does not fit `int32` (expected `type: int64`)")
            }
            (EnumScalar::Text(text), _) => format!(
                "enum value `{text}` is text in an integer enum (expected an integer, unquoted)"
            ),
        };
        self.error_value(at, message);
        None
    }

    /// The Rust variant of one enum value, or an error at `at`.
    fn variant_name(&mut self, at: &str, ty: &str, value: &EnumValue) -> Option<String> {
        let rust = match (value.name(), value.value()) {
            (Some(name), _) => {
                if !is_ident(name) || pascal(name) != name {
                    self.error_value(
                        &format!("{at}.name"),
                        format!(
                            "`{name}` is not a PascalCase Rust identifier (expected e.g. `Empty`)"
                        ),
                    );
                    return None;
                }
                name.to_owned()
            }
            (None, EnumScalar::Int(n)) => int_variant(*n),
            (None, EnumScalar::Text(text)) => {
                if variant(text).is_empty() {
                    self.error_value(at, format!("enum value `{text}` has no letters or digits to name a Rust variant (expected a `name:`: `{{ value: \"{text}\", name: {} }}`)", fallback_variant(ty, text, &|_| false)));
                    return None;
                }
                enum_variant(ty, text)
            }
        };
        if rust == "Unknown" {
            self.error_value(at, format!("enum value `{}` becomes `Unknown`, the variant kept for values the spec does not list (expected a `name:`: `{{ value: {}, name: UnknownValue }}`)", value.value(), value.value()));
            return None;
        }
        Some(rust)
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
                kind: {
                    let repr = self.enum_repr(&site.at, site.ty, site.values);
                    self.enum_kind(&format!("{}.enum", site.at), &name, site.values, repr)
                },
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
                let at = at();
                let hint = scalar_hint(expr);
                self.error_value_hint(&at, message, hint);
                return self.unresolved(at);
            }
            Ok(ty) => ty,
        };
        if let Some(name) = first_named(&ty).filter(|n| table.shape(n).is_none()) {
            let hint = scalar_hint(name).or_else(|| {
                let mut candidates: Vec<&str> = table.names().collect();
                candidates.extend(SCALARS);
                candidates.sort_unstable();
                did_you_mean(name, candidates)
            });
            let at = at();
            self.error_value_hint(
                &at,
                format!("unknown type `{name}` (expected a scalar ({}), `array<T>`, `map<T>` or a type declared under `types`)", SCALARS.join(", ")),
                hint,
            );
            return self.unresolved(at);
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

/// The type a type expression that did not resolve stands for: `json` accepts every
/// example value, and the checks of what holds it stay quiet (`Cx::unresolved`), so the
/// one error reported is the cause.
impl Cx<'_> {
    fn unresolved(&mut self, at: String) -> TypeRef {
        self.unresolved.insert(at);
        TypeRef::Json
    }
}

/// The spec's name for a type written as another language or format writes it
/// (`bool`, `Integer`, `float`, `String`, `object`, `List`...), as a hint.
fn scalar_hint(expr: &str) -> Option<String> {
    let word = expr.trim();
    let ours = match word.to_ascii_lowercase().as_str() {
        "bool" | "boolean" => "`boolean`",
        "int" | "integer" | "uint" | "unsigned" | "short" => "`int32` or `int64`",
        "i32" | "u32" | "int32" | "uint32" => "`int32`",
        "long" | "i64" | "u64" | "int64" | "uint64" | "usize" | "bigint" => "`int64`",
        "float" | "double" | "f32" | "f64" | "decimal" | "number" => "`number`",
        "str" | "string" | "text" | "char" => "`string`",
        "date" | "time" | "datetime" | "date-time" | "timestamp" => "`datetime`",
        "object" | "any" | "value" | "dict" | "hashmap" | "map" => "`json` or `map<T>`",
        "binary" | "blob" | "byte" | "bytes" => "`bytes`",
        "list" | "vec" | "array" | "vector" | "set" => "`array<T>`",
        _ => return None,
    };
    Some(format!("did you mean {ours}?"))
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
