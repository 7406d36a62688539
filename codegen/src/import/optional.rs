//! Fields of types a response reaches are optional.
//!
//! The documents mark response fields required that their own examples leave out or send
//! as `null` (121 of the imported response examples did not decode with the flags as
//! given), and a server adds and drops fields between versions. A required field that is
//! missing fails the whole decode, an `Option` that is `None` does not; the official SDKs
//! and the AWS SDK for Rust make every response field optional for the same reason. So
//! the importer writes `required: true` only on fields of types that requests alone reach
//! (a body the caller builds, where the flag documents what the server demands); a type
//! reached from any response, success or error, also through arrays, maps and other
//! types' fields, has no required field. Hand-written specs keep their own flags.

use std::collections::HashSet;

use crate::spec::ServiceSpec;

/// Clears `required` on every field of every type a response of `spec` reaches.
pub fn relax_response_types(spec: &mut ServiceSpec) {
    for name in response_types(spec) {
        if let Some(ty) = spec.types.get_mut(&name) {
            for field in ty.fields.iter_mut().flat_map(|f| f.values_mut()) {
                field.required = false;
            }
        }
    }
}

/// Names of the types the responses of `spec` reach, directly or through other types.
pub fn response_types(spec: &ServiceSpec) -> HashSet<String> {
    let mut todo: Vec<&str> = spec
        .operations
        .values()
        .flat_map(|op| op.responses.values())
        .filter_map(|r| r.ty.as_deref())
        .collect();
    let mut seen = HashSet::new();
    while let Some(expr) = todo.pop() {
        let Some(name) = super::named(expr) else {
            continue;
        };
        let Some((key, ty)) = spec.types.get_key_value(name) else {
            continue;
        };
        if !seen.insert(key.clone()) {
            continue;
        }
        todo.extend(
            ty.fields
                .iter()
                .flat_map(|f| f.values())
                .filter_map(|f| f.ty.as_deref()),
        );
        todo.extend(ty.array.as_deref());
        todo.extend(ty.map.as_deref());
    }
    seen
}
