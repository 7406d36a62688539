//! What the generator writes around operations: token sources (and how a token is
//! renewed), project/domain id sources, and page streams. Each is resolved against the
//! lowered operations and the type table, so it names exactly the fields the emitted
//! structs have.

use super::operations::Lowered;
use super::table::{TypeTable, field_ref};
use super::{Cx, HashMap};
use crate::diag::did_you_mean;
use crate::ir::{self, Location, TypeRef};
use crate::names::stream_method;
use crate::spec::{IdSourceSpec, ServiceSpec, TokenSourceSpec};

impl Cx<'_> {
    /// Resolves every operation's glue, then returns the operations.
    pub(super) fn glue(
        &mut self,
        spec: &ServiceSpec,
        table: &TypeTable,
        lowered: Vec<Lowered<'_>>,
    ) -> Vec<ir::Operation> {
        let by_key: HashMap<&str, usize> = lowered
            .iter()
            .enumerate()
            .map(|(i, l)| (l.key, i))
            .collect();
        let mut glue = Vec::with_capacity(lowered.len());
        for l in &lowered {
            let at = l.at();
            let token_source = l.spec.token_source.as_ref().map(|t| {
                let refresh = t.refresh_with.as_deref().and_then(|with| {
                    let target = by_key.get(with).map(|&i| &lowered[i]);
                    self.refresh(
                        spec,
                        table,
                        &format!("{at}.token_source"),
                        l,
                        t,
                        with,
                        target,
                    )
                });
                self.token_source(table, &format!("{at}.token_source"), &l.op, t, refresh)
            });
            let id_source = l
                .spec
                .id_source
                .as_ref()
                .and_then(|s| self.id_source(table, &format!("{at}.id_source"), &l.op, s));
            let pagination = l
                .spec
                .pagination
                .as_ref()
                .and_then(|p| self.pagination(table, &format!("{at}.pagination"), p, &l.op));
            glue.push((token_source, id_source, pagination));
        }
        let keys: Vec<&str> = lowered.iter().map(|l| l.key).collect();
        let operations: Vec<ir::Operation> = lowered
            .into_iter()
            .zip(glue)
            .map(|(l, (token_source, id_source, pagination))| ir::Operation {
                token_source,
                id_source,
                pagination,
                ..l.op
            })
            .collect();
        self.check_stream_methods(&keys, &operations);
        operations
    }

    /// A paged operation adds `<method>_stream`, which must not be another operation.
    fn check_stream_methods(&mut self, keys: &[&str], operations: &[ir::Operation]) {
        let by_method: HashMap<&str, usize> = operations
            .iter()
            .enumerate()
            .map(|(i, o)| (o.method_name.as_str(), i))
            .collect();
        for (key, op) in keys
            .iter()
            .zip(operations)
            .filter(|(_, o)| o.pagination.is_some())
        {
            let stream = stream_method(&op.method_name);
            if let Some(&other) = by_method.get(stream.as_str()) {
                let other_key = keys[other];
                self.error_key(&format!("operations.{other_key}"), format!("operation `{other_key}` becomes `{stream}`, the stream method of the paged `{key}` (expected another name)"));
            }
        }
    }

    fn token_source(
        &mut self,
        table: &TypeTable,
        at: &str,
        op: &ir::Operation,
        t: &TokenSourceSpec,
        refresh: Option<ir::Refresh>,
    ) -> ir::TokenSource {
        let mut resolve = |key: &str, text: &str| self.value_path(table, at, key, op, text);
        ir::TokenSource {
            token: resolve("token", &t.token),
            expires_at: t.expires_at.as_deref().map(|x| resolve("expires_at", x)),
            expires_in: t.expires_in.as_deref().map(|x| resolve("expires_in", x)),
            refresh_token: t
                .refresh_token
                .as_deref()
                .map(|x| resolve("refresh_token", x)),
            refresh,
        }
    }

    /// Resolves `header:<Name>` or `body:<field>[.<field>]` in `op`'s success response,
    /// the value of token source key `key`.
    fn value_path(
        &mut self,
        table: &TypeTable,
        at: &str,
        key: &str,
        op: &ir::Operation,
        text: &str,
    ) -> ir::ValuePath {
        let at = &format!("{at}.{key}");
        if let Some(name) = text.strip_prefix("header:") {
            if !op
                .response_headers
                .iter()
                .any(|h| h.wire.eq_ignore_ascii_case(name))
            {
                self.error_value(at, format!("`{name}` is not a declared response header (expected one of the success responses' `headers`)"));
            }
            return ir::ValuePath::Header(name.to_owned());
        }
        let Some(fields) = text.strip_prefix("body:") else {
            self.error_value(at, format!("`{text}` is not a value path (expected `header:<Name>` or `body:<field>[.<field>]`)"));
            return ir::ValuePath::Body(Vec::new());
        };
        let found = op
            .success_body
            .as_ref()
            .and_then(|b| table.field_path(&b.ty, fields));
        match found {
            Some((chain, last)) => {
                if let Some(expected) = expiry_problem(key, &last.ty) {
                    self.error_value(at, format!("`{fields}` is not of a type the token's expiry can be read from (expected a field holding {expected})"));
                }
                ir::ValuePath::Body(chain)
            }
            None => {
                self.error_value(at, format!("the success body has no field path `{fields}` (expected wire field names joined by `.`)"));
                ir::ValuePath::Body(Vec::new())
            }
        }
    }

    /// Resolves `refresh_with`: the renewing operation's body is filled field by field
    /// from this operation's body (same wire names) plus the refresh token.
    #[allow(clippy::too_many_arguments)]
    fn refresh(
        &mut self,
        spec: &ServiceSpec,
        table: &TypeTable,
        at: &str,
        source: &Lowered<'_>,
        t: &TokenSourceSpec,
        with: &str,
        target: Option<&Lowered<'_>>,
    ) -> Option<ir::Refresh> {
        let wat = format!("{at}.refresh_with");
        let Some(target) = target else {
            let hint = did_you_mean(with, spec.operations.keys().map(String::as_str));
            self.error_value_hint(&wat, format!("`{with}` is not an operation of this service (expected the name of the operation that renews the token)"), hint);
            return None;
        };
        if target.spec.token_source.is_none() {
            self.error_value(&wat, format!("operation `{with}` has no `token_source` (expected one: the renewed token is read from its response)"));
        }
        let Some(refresh_field) = t
            .refresh_token
            .as_deref()
            .and_then(|r| r.strip_prefix("body:"))
            .and_then(|r| r.rsplit('.').next())
        else {
            self.error_value(&wat, "`refresh_with` needs `refresh_token: body:<field>` (expected the refresh token's place in the response)");
            return None;
        };
        fn object_body<'o>(
            table: &'o TypeTable,
            op: &'o ir::Operation,
        ) -> Option<(&'o ir::Body, &'o [ir::Field])> {
            let body = op.body.as_ref()?;
            Some((body, table.fields(&body.ty)?))
        }
        let body = |op| object_body(table, op);
        let Some((target_body, target_fields)) = body(&target.op) else {
            self.error_value(&wat, format!("operation `{with}` has no object body to fill (expected a body type with `fields`)"));
            return None;
        };
        let source_fields = match body(&source.op) {
            Some((b, fields)) if b.required => fields,
            _ => {
                self.error_value(&wat, "the token operation needs a required object body to copy the renewal's fields from");
                return None;
            }
        };
        let mut fields = Vec::new();
        for field in target_fields {
            let wire = &field.wire;
            let value = if *wire == refresh_field {
                ir::RefreshValue::RefreshToken {
                    optional: !field.required,
                }
            } else if let Some(from) = source_fields.iter().find(|f| f.wire == *wire) {
                // `Secret` is a type of its own, so sensitivity is compared with the type.
                if from.ty != field.ty || (field.required && !from.required) {
                    self.error_value(&wat, format!("field `{wire}` differs between the two bodies (expected the same type, sensitivity and, where `{with}` requires it, a required field)"));
                }
                ir::RefreshValue::Copied(from.rust.clone())
            } else if field.required {
                self.error_value(&wat, format!("`{with}` requires body field `{wire}`, which this operation's body does not have (expected a field of the same wire name)"));
                continue;
            } else {
                ir::RefreshValue::Absent
            };
            fields.push(ir::RefreshField {
                rust: field.rust.clone(),
                value,
            });
        }
        let TypeRef::Named(body) = &target_body.ty else {
            return None;
        };
        Some(ir::Refresh {
            request: target.op.request.clone(),
            body: body.clone(),
            fields,
        })
    }

    /// Resolves an `id_source`: an operation whose success body lists items with an id.
    fn id_source(
        &mut self,
        table: &TypeTable,
        at: &str,
        op: &ir::Operation,
        s: &IdSourceSpec,
    ) -> Option<ir::IdSource> {
        let body = op.success_body.as_ref().map(|b| &b.ty);
        let Some(items) = body.and_then(|ty| table.field(ty, &s.items)) else {
            self.error_value(&format!("{at}.items"), format!("the success body has no field `{}` (expected the wire name of its list of items)", s.items));
            return None;
        };
        let item_id = match &items.ty {
            TypeRef::Array(element) => table.field(element, &s.item_id),
            _ => None,
        };
        let Some(item_id) = item_id else {
            self.error_value(&format!("{at}.items"), format!("`{}` is not a list of objects with a `{}` field (expected `array<T>` where T has it)", s.items, s.item_id));
            return None;
        };
        let filter = match &s.filter {
            None => None,
            Some(key) => match op.params.iter().find(|p| p.key == *key) {
                Some(p) if p.location == Location::Query && p.ty == TypeRef::String => {
                    Some(p.rust.clone())
                }
                _ => {
                    self.error_value(
                        &format!("{at}.filter"),
                        format!("`{key}` is not a string query parameter of this operation"),
                    );
                    None
                }
            },
        };
        let id = super::params::implicit(s.id);
        if id == ir::Implicit::ProjectId && filter.is_none() {
            self.error_key(
                at,
                "project id discovery needs `filter`: the query parameter set to the region name",
            );
        }
        Some(ir::IdSource {
            id,
            items: field_ref(items),
            item_id: field_ref(item_id),
            filter,
        })
    }
}

/// For an expiry key, what its field must hold when `ty` is not one of the types the
/// runtime's checked conversions (`hwcloud_runtime::auth::expiry`) take.
fn expiry_problem(key: &str, ty: &TypeRef) -> Option<&'static str> {
    let text = matches!(ty, TypeRef::String | TypeRef::Secret);
    match (key, ty) {
        ("expires_in", TypeRef::Int32 | TypeRef::Int64 | TypeRef::Number)
        | ("expires_at", TypeRef::DateTime) => None,
        ("expires_in" | "expires_at", _) if text => None,
        ("expires_in", _) => Some("a lifetime in seconds (int32, int64, number or string)"),
        ("expires_at", _) => Some("an instant (datetime or string)"),
        _ => None,
    }
}
