//! Sample values for `tests/operations.rs`: a recognisable value of every type, derived
//! from the spec (every required field, optional ones near the top).

use serde_json::{Map, Value, json};

use crate::ir::{Param, TypeKind, TypeRef};
pub(super) use crate::ir::{TypesByName as Types, resolve_alias as resolve};

/// A parameter's sample value: a recognisable string, 42, true, the first enum value.
pub(super) fn param_sample(p: &Param, types: &Types<'_>) -> Value {
    match &p.ty {
        TypeRef::Array(element) => Value::Array(vec![
            sample(element, types, 0, &format!("{}-1", p.rust)),
            sample(element, types, 0, &format!("{}-2", p.rust)),
        ]),
        ty => sample(ty, types, 0, &p.rust),
    }
}

/// A JSON value of type `ty`: every required field, and optional ones near the top (a
/// recursive type stops after a few levels).
pub(super) fn sample(ty: &TypeRef, types: &Types<'_>, depth: usize, hint: &str) -> Value {
    // Cycles through required fields are rejected by `lower`; this bounds the rest.
    // Each array or object is a level: 16 is deeper than any real body (ELB's load
    // balancer status tree needs 10).
    if depth > 16 {
        return Value::Null;
    }
    match ty {
        TypeRef::String | TypeRef::Secret => {
            Value::String(format!("sample-{}", hint.replace('_', "-")))
        }
        TypeRef::Int32 | TypeRef::Int64 => json!(42),
        TypeRef::Number => json!(1.5),
        TypeRef::Boolean => json!(true),
        TypeRef::DateTime => json!("2024-01-02T03:04:05.000Z"),
        TypeRef::Json => json!({ "any": "value" }),
        TypeRef::Bytes | TypeRef::File => Value::Null,
        TypeRef::Array(element) => Value::Array(vec![sample(element, types, depth + 1, hint)]),
        TypeRef::Map(value) => {
            let mut map = Map::new();
            map.insert("key".to_owned(), sample(value, types, depth + 1, hint));
            Value::Object(map)
        }
        TypeRef::Named(name) => match resolve(types, name).map(|t| &t.kind) {
            Some(TypeKind::Enum(variants)) => variants
                .first()
                .map_or(Value::Null, |v| Value::String(v.wire.clone())),
            Some(TypeKind::IntEnum(_, variants)) => {
                variants.first().map_or(Value::Null, |v| json!(v.int()))
            }
            Some(TypeKind::Array(element)) => sample(
                &TypeRef::Array(Box::new(element.clone())),
                types,
                depth,
                hint,
            ),
            Some(TypeKind::Map(value)) => {
                sample(&TypeRef::Map(Box::new(value.clone())), types, depth, hint)
            }
            Some(TypeKind::Struct(fields)) => {
                let mut map = Map::new();
                for f in fields {
                    if f.ty == TypeRef::File
                        || f.ty == TypeRef::Bytes
                        || (!f.required && depth >= 2)
                    {
                        continue;
                    }
                    map.insert(f.wire.clone(), sample(&f.ty, types, depth + 1, &f.wire));
                }
                Value::Object(map)
            }
            None | Some(TypeKind::Alias(_)) => Value::Null,
        },
    }
}
