//! Which operations' bodies may hold secrets (`ir::Operation::sensitive_body`): the
//! runtime then never quotes their responses in errors or logs.

use super::table::TypeTable;
use crate::ir::{Operation, TypeKind, TypeRef};

/// Whether the operation's bodies may hold secrets, so that the runtime never quotes its
/// responses in errors or logs: it issues tokens, or a value it sends or receives is
/// `sensitive` (a response header, any field reachable from its request or response
/// types, a parameter). Request values count because error bodies often echo the request
/// ("invalid code ...").
pub(super) fn sensitive_body<'a>(types: &'a TypeTable, op: &'a Operation) -> bool {
    let mut seen = Vec::new();
    let mut holds = |ty: &'a TypeRef| holds_secret(types, ty, &mut seen);
    op.token_source.is_some()
        || op.response_headers.iter().any(|h| h.sensitive)
        || op.params.iter().any(|p| holds(&p.ty))
        || op.body.as_ref().is_some_and(|b| holds(&b.ty))
        || op.success_body.as_ref().is_some_and(|b| holds(&b.ty))
        || op
            .error_statuses
            .iter()
            .filter_map(|e| e.ty.as_ref())
            .any(holds)
}

/// Whether a value of `ty` can contain a `sensitive` string; `seen` holds the named types
/// already looked at (types may be recursive).
fn holds_secret<'a>(types: &'a TypeTable, ty: &'a TypeRef, seen: &mut Vec<&'a str>) -> bool {
    match ty {
        TypeRef::Secret => true,
        TypeRef::Array(element) | TypeRef::Map(element) => holds_secret(types, element, seen),
        TypeRef::Named(name) => {
            if seen.contains(&name.as_str()) {
                return false;
            }
            seen.push(name);
            let Some(def) = types.def(name) else {
                return false;
            };
            match &def.kind {
                TypeKind::Struct(fields) => fields.iter().any(|f| holds_secret(types, &f.ty, seen)),
                TypeKind::Array(element) | TypeKind::Map(element) => {
                    holds_secret(types, element, seen)
                }
                // Aliases are made after this is decided (`dedupe`).
                TypeKind::Enum(_) | TypeKind::IntEnum(..) | TypeKind::Alias(_) => false,
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::SpecText;

    const SPEC: &str = r#"
service: S
doc: d
operations:
  Plain:
    doc: d
    method: GET
    path: /plain
    responses:
      200: { type: Tree, doc: ok }
  DeepSecret:
    doc: d
    method: GET
    path: /deep
    responses:
      200: { type: Outer, doc: ok }
  SecretInError:
    doc: d
    method: DELETE
    path: /x
    responses:
      204: { doc: ok }
      400: { type: map<Inner>, doc: bad }
  SecretRequest:
    doc: d
    method: POST
    path: /y
    body: { content_type: application/json, type: Outer }
    responses:
      204: { doc: ok }
types:
  Tree:
    doc: A recursive type without secrets.
    fields:
      name: { doc: d }
      children: { type: array<Tree>, doc: d }
  Outer:
    doc: d
    fields:
      items: { type: array<Inner>, doc: d }
      self_ref: { type: Outer, doc: d }
  Inner:
    doc: d
    fields:
      key: { sensitive: true, doc: d }
"#;

    #[test]
    fn bodies_are_sensitive_when_a_secret_is_reachable() {
        let spec = SpecText {
            file: "specs/s.yaml".into(),
            text: SPEC.into(),
        };
        let api = crate::check(&[spec]).unwrap_or_else(|d| panic!("{d}"));
        let service = &api.services[0];
        let sensitive: Vec<(&str, bool)> = service
            .operations
            .iter()
            .map(|op| (op.name.as_str(), op.sensitive_body))
            .collect();
        assert_eq!(
            sensitive,
            [
                ("Plain", false),
                ("DeepSecret", true),
                ("SecretInError", true),
                ("SecretRequest", true),
            ]
        );
    }
}
