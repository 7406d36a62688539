//! Path, query and header parameters, and the path template they fill.

use std::collections::BTreeSet;

use super::table::TypeTable;
use super::types::is_enum;
use super::{Cx, HashMap, HashSet, map_with_capacity};
use crate::diag::did_you_mean;
use crate::ir::{self, Location, TypeRef};
use crate::names::snake;
use crate::source::FastHash;
use crate::spec::{CollectionFormat, OperationSpec, ParamLocation, ParamSpec};

/// What a header name may contain, for messages.
pub(super) const HEADER_CHARS: &str =
    "letters, digits and any of ! # $ % & ' * + - . ^ _ | ~ and the backtick";

impl Cx<'_> {
    pub(super) fn params(
        &mut self,
        table: &TypeTable,
        at: &str,
        op: &OperationSpec,
    ) -> Vec<ir::Param> {
        let mut seen: HashMap<String, &str> = map_with_capacity(op.params.len());
        let mut wires: HashSet<(Location, String)> =
            HashSet::with_capacity_and_hasher(op.params.len(), FastHash::default());
        let mut out = Vec::with_capacity(op.params.len());
        for (key, param) in &op.params {
            let pat = || format!("{at}.params.{key}");
            let location = location(param.location);
            let rust = self.checked_ident(pat, key, snake(key));
            if rust == "body" && op.body.is_some() {
                self.error_key(&pat(), "parameter `body` clashes with the request body (expected another name, with `name:` for the wire)");
            }
            if let Some(first) = seen.get(&rust) {
                self.error_key(&pat(), format!("parameters `{first}` and `{key}` both become `{rust}` in Rust (expected distinct names)"));
                continue;
            }
            seen.insert(rust.clone(), key);
            let wire = param.name.clone().unwrap_or_else(|| key.clone());
            // Header names are case-insensitive.
            let compared = if location == Location::Header {
                wire.to_ascii_lowercase()
            } else {
                wire.clone()
            };
            if !wires.insert((location, compared)) {
                self.error_key(&pat(), format!("wire name `{wire}` is used by two parameters in the same place (expected each once)"));
            }
            if location == Location::Header && !is_header_name(&wire) {
                self.error_value(
                    &format!("{}.name", pat()),
                    format!("`{wire}` is not a valid HTTP header name (expected {HEADER_CHARS})"),
                );
            }
            if location == Location::Path && !param.required {
                self.error_key(&pat(), format!("path parameter `{key}` must be `required: true` (a path cannot leave out a segment)"));
            }
            let ty = match &param.enum_values {
                Some(_) => self.inline_enum_ref(key),
                None => self.type_ref(
                    table,
                    || format!("{}.type", pat()),
                    param.ty.as_deref().unwrap_or("string"),
                    param.sensitive,
                ),
            };
            self.check_param_type(table, pat, param, &ty);
            let csv = param.collection_format == Some(CollectionFormat::Csv);
            if csv && !(location == Location::Query && matches!(ty, TypeRef::Array(_))) {
                self.error_value(
                    &format!("{}.collection_format", pat()),
                    "`collection_format` applies to array query parameters only",
                );
            }
            out.push(ir::Param {
                csv,
                key: key.clone(),
                rust,
                wire,
                location,
                ty,
                required: param.required,
                implicit: param.from.map(implicit),
                doc: param.doc.clone(),
            });
        }
        out
    }

    /// Parameters travel as text: scalars and enums; query parameters may repeat (arrays).
    fn check_param_type(
        &mut self,
        table: &TypeTable,
        at: impl Fn() -> String,
        param: &ParamSpec,
        ty: &TypeRef,
    ) {
        let scalar = |t: &TypeRef| match t {
            TypeRef::Json
            | TypeRef::Array(_)
            | TypeRef::Map(_)
            | TypeRef::Bytes
            | TypeRef::File => false,
            TypeRef::Named(_) => is_enum(table, t),
            _ => true,
        };
        let location = location(param.location);
        let ok = match (location, ty) {
            (Location::Query, TypeRef::Array(inner)) => scalar(inner),
            (_, t) => scalar(t),
        };
        if !ok {
            self.error_value(&format!("{}.type", at()), format!("{location} parameters must be scalars or enums{} (expected e.g. `string`, `int32` or an enum type)", if location == Location::Query { " or arrays of them" } else { "" }));
        }
        if param.from.is_some() && location != Location::Path {
            self.error_key(
                &format!("{}.from", at()),
                "`from` fills path parameters only (expected `in: path`, or no `from`)",
            );
        } else if param.from.is_some() && *ty != TypeRef::String {
            self.error_key(
                &format!("{}.from", at()),
                "`from` needs a string parameter (expected `type: string`)",
            );
        }
    }

    /// Every `{name}` in the path is a path parameter, and every path parameter is in the path.
    pub(super) fn check_path(&mut self, at: &str, op: &OperationSpec, params: &[ir::Param]) {
        let pat = format!("{at}.path");
        if !op.path.starts_with('/') {
            self.error_value(&pat, format!("path `{}` must start with `/`", op.path));
        }
        if let Some(why) = super::syntax::path_problem(&op.path) {
            self.error_value(&pat, format!("path {:?} is not a URL path: {why} (expected `/`, letters, digits, `-._~!$&'()*+,;=:@`, `%` escapes and `{{param}}` placeholders; a fixed query belongs in a query parameter)", op.path));
        }
        let in_path: Vec<String> = placeholders(&op.path);
        let declared: BTreeSet<&str> = params
            .iter()
            .filter(|p| p.location == Location::Path)
            .map(|p| p.wire.as_str())
            .collect();
        for name in &in_path {
            if !declared.contains(name.as_str()) {
                let hint = did_you_mean(name, declared.iter().copied());
                self.error_value_hint(&pat, format!("path segment `{{{name}}}` is not declared as a path parameter (expected `{name}: {{ in: path, required: true, doc: ... }}` under `params`)"), hint);
            }
        }
        for param in params.iter().filter(|p| p.location == Location::Path) {
            if !in_path.contains(&param.wire) {
                self.error_key(&format!("{at}.params.{}", param.key), format!("path parameter `{}` does not appear in the path `{}` (expected `{{{}}}` in the path, or `in: query`/`in: header`)", param.key, op.path, param.wire));
            }
        }
    }
}

/// The IR's location of a spec location.
fn location(location: ParamLocation) -> Location {
    match location {
        ParamLocation::Path => Location::Path,
        ParamLocation::Query => Location::Query,
        ParamLocation::Header => Location::Header,
    }
}

/// The IR's implicit id of a spec `from`.
pub(super) fn implicit(from: crate::spec::Implicit) -> ir::Implicit {
    match from {
        crate::spec::Implicit::ProjectId => ir::Implicit::ProjectId,
        crate::spec::Implicit::DomainId => ir::Implicit::DomainId,
    }
}

/// `{name}` placeholders of a template, in order.
pub(super) fn placeholders(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        out.push(after[..close].to_owned());
        rest = &after[close + 1..];
    }
    out
}

/// RFC 9110 token characters.
pub(super) fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_in_order() {
        assert_eq!(
            placeholders("/v1/{project_id}/x/{id}"),
            vec!["project_id", "id"]
        );
        assert!(placeholders("/v1/x").is_empty());
    }
}
